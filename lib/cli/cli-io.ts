/** Where the CLI writes and what environment it reads: the process's own, or a test's. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * For a command that runs until it is told to stop (`local`): resolves when the user asks it to. The process's
   * own resolves on SIGINT or SIGTERM; it is a function so that only such a command takes those signals over, and
   * Ctrl-C still ends any other command at once. Without it, such a command runs until the process ends.
   */
  readonly untilInterrupted?: () => Promise<void>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
