/** Where the CLI writes and what environment it reads: the process's own, or a test's. */
export interface CliIo {
  /** `isTTY` and `columns` as a terminal's stream has them: `rebuild` then redraws one progress line. */
  readonly stdout: {
    write(text: string): unknown;
    readonly isTTY?: boolean;
    readonly columns?: number;
  };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * For a command that stops when asked (`local`, `rebuild`): resolves when the user asks it to. The process's own
   * resolves on SIGINT or SIGTERM; it is a function so that only such a command takes those signals over, and
   * Ctrl-C still ends any other command at once. Without it, such a command runs until it ends by itself or the
   * process does.
   */
  readonly untilInterrupted?: () => Promise<void>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (128 + SIGINT, as a shell reports it) before it was done: `rebuild`, to be resumed. */
export const EXIT_INTERRUPTED = 130;
