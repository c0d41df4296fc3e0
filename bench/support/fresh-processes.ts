// Measures taken in fresh node processes, one at a time: a cold start is what a warm process, which has its modules
// loaded already, cannot show. Imports Node's own modules only: lambda-cold-start.ts, which imports this file, is
// also the child process it measures, and a package loaded here would be found loaded there.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface FreshProcessRow {
  /** What each fresh node process did, and what was timed. */
  readonly measured: string;
  readonly processes: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export function freshProcessRow(measured: string, values: readonly number[]): FreshProcessRow {
  return {
    measured,
    processes: values.length,
    medianMs: medianOf(values),
    minMs: Math.min(...values),
    maxMs: Math.max(...values),
  };
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Round after round, each case once, each round starting with the next case: whatever drifts over the run (another
 * process's load, the CPU's clock) hits every case alike.
 */
export async function interleaved<Case>(
  cases: readonly Case[],
  rounds: number,
  measure: (which: Case) => Promise<void>,
): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) await measure(cases[(i + round) % cases.length]!);
  }
}

export const run = promisify(execFile);

/** The environment of a measured process: the SDK's notice that Node 20 will lose support is not part of it. */
export function childEnvironment(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
}

// Where the measured processes run: inside the repository (as bench/support/ or dist-bench/bench/support/), where the
// package names itself, `nestjs-dynamo-es` resolving by the exports of package.json to the built dist/.
const PACKAGE_DIRECTORY = fileURLToPath(new URL('.', import.meta.url));

export interface ImportTimes {
  /** From the process's first line to the end of the imports. */
  readonly importMs: number;
  /** From the process's start (performance's time origin) to its first line: node's own start. */
  readonly nodeStartMs: number;
}

/**
 * The time a fresh node process takes to import `specifiers` (at once, as a file's imports load), timed from its
 * first line: the process imports nothing else before, so it finds nothing loaded.
 */
export async function importTimesInFreshProcess(
  specifiers: readonly string[],
): Promise<ImportTimes> {
  const code =
    'const started = performance.now();' +
    ` await Promise.all(${JSON.stringify(specifiers)}.map((specifier) => import(specifier)));` +
    ' console.log(JSON.stringify({ importMs: performance.now() - started, nodeStartMs: started }));';
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
    cwd: PACKAGE_DIRECTORY,
    env: childEnvironment(),
  });
  return JSON.parse(stdout) as ImportTimes;
}
