import { executionAsyncId } from 'node:async_hooks';

/** Rounds of a full run: on a 2-core VM a case's figure moved 10–30 % between runs of 9. */
export const CPU_ROUNDS = 15;

export interface CpuTimingOptions {
  /**
   * Rounds; each runs every case once, starting each round with the next case, so that drift, JIT and GC state left
   * by one case hit all the others alike. Default CPU_ROUNDS.
   */
  readonly rounds?: number;
  /** Calls of a case per round. */
  readonly iterations: number;
  /** Calls of each case before measuring, to let the JIT settle. Default iterations. */
  readonly warmup?: number;
  /** The cases run with promise hooks on by design (OpenTelemetry's context manager): no warning. */
  readonly promiseHooksExpected?: boolean;
}

/**
 * Whether promise hooks are on in this process: a promise reaction then runs with an async id. On Node 20 and 22
 * they are from the first AsyncLocalStorage entered on, and every promise costs more: figures taken with them on
 * are not those of an application without one.
 */
export async function promiseHooksOn(): Promise<boolean> {
  return (await Promise.resolve().then(() => executionAsyncId())) !== 0;
}

/**
 * The CPU time (user + system, of the whole process: GC and its helper threads included) of one call of each case,
 * in microseconds: the median over interleaved rounds. Everything runs in this process, with no I/O that waits
 * (stubbed transport), so CPU time is the cost.
 *
 * GC is left alone while timing: no collection is forced in or between timed rounds, so each round pays for the
 * garbage it makes, as an application would (forcing one before each round roughly doubled small-operation CPU
 * and pulled ratios toward 1, as measured on this bench). The only GC control is one full collection (with
 * --expose-gc) before the warm-up of each measurement, outside timing: the garbage of the previous measurement is
 * not collected in this one's rounds, and that collection's after-work on the GC threads falls into the warm-up.
 */
export async function medianCpuMicros<K extends string>(
  cases: Readonly<Record<K, () => Promise<unknown>>>,
  { rounds = CPU_ROUNDS, iterations, warmup = iterations, promiseHooksExpected }: CpuTimingOptions,
): Promise<Record<K, number>> {
  const names = Object.keys(cases) as K[];
  if (!promiseHooksExpected && (await promiseHooksOn())) {
    console.log(`⚠ ${names.join(', ')}: promise hooks are on (an AsyncLocalStorage was entered)`);
  }
  globalThis.gc?.();
  for (const name of names) for (let i = 0; i < warmup; i++) await cases[name]();
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    K,
    number[]
  >;
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      const start = process.cpuUsage();
      for (let i = 0; i < iterations; i++) await cases[name]();
      const { user, system } = process.cpuUsage(start);
      samples[name].push((user + system) / iterations);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])])) as Record<
    K,
    number
  >;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile, `fraction` from 0 to 1. */
export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!;
}
