const MB = 1024 * 1024;

export interface MemoryGrowth {
  readonly heapMB: number;
  readonly rssMB: number;
}

/**
 * The highest heapUsed and rss sampled since a baseline taken right after a full GC. heapUsed counts garbage not yet
 * collected too, so the peak depends on when V8 chooses to collect as well as on what the work keeps alive.
 */
export class HeapPeak {
  private peakHeap: number;
  private peakRss: number;

  private constructor(
    private readonly baselineHeap: number,
    private readonly baselineRss: number,
  ) {
    this.peakHeap = baselineHeap;
    this.peakRss = baselineRss;
  }

  static afterFullGc(): HeapPeak {
    collectGarbage();
    const { heapUsed, rss } = process.memoryUsage();
    return new HeapPeak(heapUsed, rss);
  }

  sample(): void {
    const { heapUsed, rss } = process.memoryUsage();
    if (heapUsed > this.peakHeap) this.peakHeap = heapUsed;
    if (rss > this.peakRss) this.peakRss = rss;
  }

  growth(): MemoryGrowth {
    return {
      heapMB: (this.peakHeap - this.baselineHeap) / MB,
      rssMB: (this.peakRss - this.baselineRss) / MB,
    };
  }
}

export function collectGarbage(): void {
  if (!globalThis.gc) throw new Error('Run with node --expose-gc: memory figures need a full GC');
  globalThis.gc();
}
