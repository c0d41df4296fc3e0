export interface CpuTimingOptions {
  /**
   * Rounds; each runs every case once, starting each round with the next case, so that drift, JIT and GC state left
   * by one case hit all the others alike. Default 9.
   */
  readonly rounds?: number;
  /** Calls of a case per round. */
  readonly iterations: number;
  /** Calls of each case before measuring, to let the JIT settle. Default iterations. */
  readonly warmup?: number;
}

/**
 * The CPU time (user + system) of one call of each case, in microseconds: the median over interleaved rounds.
 * Everything runs in this process, with no I/O that waits (stubbed transport), so CPU time is the cost.
 */
export async function medianCpuMicros<K extends string>(
  cases: Readonly<Record<K, () => Promise<unknown>>>,
  { rounds = 9, iterations, warmup = iterations }: CpuTimingOptions,
): Promise<Record<K, number>> {
  const names = Object.keys(cases) as K[];
  for (const name of names) for (let i = 0; i < warmup; i++) await cases[name]();
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    K,
    number[]
  >;
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      globalThis.gc?.();
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
