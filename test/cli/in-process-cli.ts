import { runCli } from '../../lib/cli/run-cli.js';

/** A command run in-process, as main.ts runs it: its output so far, and how to Ctrl-C it. */
export interface RunningCli {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** As SIGINT does for main.ts. */
  readonly interrupt: () => void;
  readonly exitCode: Promise<number>;
}

/** Starts `nestjs-dynamo-es <argv…>` with the tests' environment and `env` over it. */
export function startCli(argv: readonly string[], env: Record<string, string> = {}): RunningCli {
  let stdout = '';
  let stderr = '';
  let interrupt!: () => void;
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
  const exitCode = runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, ...env },
    untilInterrupted: () => interrupted,
  });
  return { stdout: () => stdout, stderr: () => stderr, interrupt, exitCode };
}

/** Runs a command to its end. */
export async function cli(
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const run = startCli(argv, env);
  const exitCode = await run.exitCode;
  return { exitCode, stdout: run.stdout(), stderr: run.stderr() };
}
