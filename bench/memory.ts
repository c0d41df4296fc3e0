import { median } from './support/cpu-timer.js';
import { collectGarbage, HeapPeak, type MemoryGrowth } from './support/memory-heap-peak.js';
import { type HistoryReader, startHistoryReader } from './support/memory-history-reader.js';
import type { PagedEventStream } from './support/memory-paged-event-stream.js';

export interface MemoryRow {
  readonly events: number;
  /** Query pages the history is read in: at most 1 MB (by DynamoDB's item sizes) or the request's Limit. */
  readonly pages: number;
  /** Highest heapUsed while reading, minus heapUsed after a full GC before it. */
  readonly peakHeapGrowthMB: number;
  /** peakHeapGrowthMB over that of the smallest history. */
  readonly peakVsSmallest: number;
  /** Highest heapUsed right after a forced full GC as each page arrives, minus the baseline: what the read keeps alive. */
  readonly liveHeapGrowthMB: number;
  /** liveHeapGrowthMB over the same figure when the first page arrives, when only that page can be alive. */
  readonly pagesAlive: number;
  /** Highest rss while reading minus rss before it, for context: the process keeps memory it once took. */
  readonly peakRssGrowthMB: number;
  readonly goal: string;
}

interface RoundFigures {
  readonly peak: MemoryGrowth;
  readonly live: LiveHeap;
}

interface LiveHeap {
  readonly firstPageMB: number;
  readonly highestMB: number;
}

/** The goals: peak heap growth and peak RSS growth while reading. */
const HEAP_GOAL_MB = 25;
const RSS_GOAL_MB = 50;
/**
 * The peak is no test of accumulation: it follows when V8 chooses to collect the old generation, which a short read
 * may finish before. Pages alive is: a read holding every page would have as many alive as it read (4 vs 35 here).
 */
const PAGES_ALIVE_ACCUMULATING_RATIO = 2;
/** Samples are taken as each page arrives, every this many events, and on a timer. */
const SAMPLE_EVERY_EVENTS = 64;
const SAMPLE_INTERVAL_MS = 1;

/**
 * Memory while streaming a long history through the Nest repository's history(), from a stubbed DynamoDB answering
 * 1 MB pages generated on demand: heap growth must stay small and must not grow with the number of events. Figures
 * are medians over interleaved rounds.
 */
export async function measureHistoryMemory({ quick }: { quick: boolean }): Promise<MemoryRow[]> {
  const sizes = quick ? [1_000, 5_000] : [10_000, 100_000];
  const rounds = quick ? 1 : 3;
  const readers: HistoryReader[] = [];
  try {
    for (const events of sizes) readers.push(await startHistoryReader(events));
    // The first read compiles code and fills the SDK's caches: memory the later reads do not take.
    await peakWhileReading(readers[0]!);
    const figures = readers.map(() => [] as RoundFigures[]);
    for (let round = 0; round < rounds; round++) {
      for (const [i, reader] of readers.entries()) {
        figures[i]!.push({
          peak: await peakWhileReading(reader),
          live: await liveHeapAtPageArrival(reader),
        });
      }
    }
    const rows = readers.map((reader, i) => summarise(reader.stream, figures[i]!));
    const [smallest] = rows;
    return rows.map((row) => ({
      ...row,
      peakVsSmallest: row.peakHeapGrowthMB / smallest!.peakHeapGrowthMB,
      goal: [
        row.peakHeapGrowthMB > HEAP_GOAL_MB
          ? `heap missed (> ${HEAP_GOAL_MB} MB)`
          : `heap met (≤ ${HEAP_GOAL_MB} MB)`,
        row.peakRssGrowthMB > RSS_GOAL_MB
          ? `RSS missed (> ${RSS_GOAL_MB} MB)`
          : `RSS met (≤ ${RSS_GOAL_MB} MB)`,
        row.pagesAlive > PAGES_ALIVE_ACCUMULATING_RATIO * smallest!.pagesAlive
          ? 'pages accumulate'
          : 'pages not accumulated',
      ].join(', '),
    }));
  } finally {
    for (const reader of readers) await reader.close();
  }
}

function summarise(stream: PagedEventStream, rounds: readonly RoundFigures[]): MemoryRow {
  const of = (figure: (round: RoundFigures) => number) => median(rounds.map(figure));
  return {
    events: stream.events,
    pages: stream.pageCount(),
    peakHeapGrowthMB: of((round) => round.peak.heapMB),
    peakVsSmallest: 1,
    liveHeapGrowthMB: of((round) => round.live.highestMB),
    pagesAlive: of((round) => round.live.highestMB / round.live.firstPageMB),
    peakRssGrowthMB: of((round) => round.peak.rssMB),
    goal: '',
  };
}

async function peakWhileReading(reader: HistoryReader): Promise<MemoryGrowth> {
  const peak = HeapPeak.afterFullGc();
  const timer = setInterval(() => peak.sample(), SAMPLE_INTERVAL_MS);
  try {
    assertEveryEvent(
      reader,
      await reader.read({
        onEvent: (received) => {
          if (received % SAMPLE_EVERY_EVENTS === 0) peak.sample();
        },
        onPage: () => peak.sample(),
      }),
    );
  } finally {
    clearInterval(timer);
  }
  peak.sample();
  return peak.growth();
}

async function liveHeapAtPageArrival(reader: HistoryReader): Promise<LiveHeap> {
  const peak = HeapPeak.afterFullGc();
  let firstPageMB: number | undefined;
  assertEveryEvent(
    reader,
    await reader.read({
      onEvent: () => {},
      onPage: () => {
        collectGarbage();
        peak.sample();
        firstPageMB ??= peak.growth().heapMB;
      },
    }),
  );
  return { firstPageMB: firstPageMB!, highestMB: peak.growth().heapMB };
}

function assertEveryEvent(reader: HistoryReader, received: number): void {
  if (received !== reader.stream.events) {
    throw new Error(`history() gave ${received} events of ${reader.stream.events}`);
  }
}
