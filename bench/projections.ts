import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AggregateRepository } from 'nestjs-dynamo-es';
import { DynamoViewStore, ViewRepository } from 'nestjs-dynamo-es/projections';
import type { Account } from '../sample/accounts/account.aggregate.js';
import type { AccountSummary } from '../sample/accounts/read-model/account-directory.projection.js';
import { startAccountStore } from './support/account-store.js';
import { median, percentile } from './support/cpu-timer.js';
import type { BenchEndpoint } from './support/local-endpoint.js';
import {
  addCounts,
  countsBetween,
  type ProjectionRequestCounts,
} from './support/projection-request-tally.js';
import {
  type ProjectionRunnerApp,
  startProjectionRunner,
} from './support/projection-runner-app.js';

export interface ProjectionRow {
  /**
   * What the writer did: one event per batch (each event saved after the previous one showed, so every batch holds
   * one event of one stream), or a burst (several accounts saved to at once: a batch holds several events of a stream).
   */
  readonly case: string;
  /** Runner instances on the lease table (one application context each, in this process). */
  readonly runners: number;
  /** The runner's wait after a GetRecords that found nothing. */
  readonly idleDelayMs: number;
  /** Events saved and applied in the measured windows, all rounds together (account openings excluded). */
  readonly events: number;
  /** GetRecords answers with records in those windows: the batches handed to the projections. */
  readonly batches: number;
  readonly eventsPerBatch: number;
  /** PutItem / TransactWriteItems / UpdateItem requests on the views table, per event. Goal 1 (≤ 1). */
  readonly viewWritesPerEvent: number;
  /** Query requests on the events table (gap fill), per event. Goal 0. */
  readonly eventQueriesPerEvent: number;
  /** Lease-table UpdateItems that move a checkpoint, per batch. Goal ≤ 1. */
  readonly checkpointsPerBatch: number;
  /** Lease renewals (counter-only UpdateItems) per second of the runners' lifetime, all instances together. */
  readonly renewalsPerSecond: number;
  /** Burst: events over the time from the first save's start until the read model showed them all. */
  readonly eventsPerSecond?: number;
  /** One event per batch: from the save's return until ViewRepository.get showed it. */
  readonly lagMedianMs?: number;
  readonly lagP95Ms?: number;
  /** Median round trip of a GetRecords that returned records. */
  readonly getRecordsMs: number;
  /** Median time from a batch's GetRecords answer to its checkpoint's send: decode, read and write the views. */
  readonly applyMs: number;
  /** The goals for the three counts (≤ 1 view write per event, 0 queries, ≤ 1 checkpoint per batch). */
  readonly goals: string;
}

/** The sample projection's view: the name its @Projection() gives it. */
const VIEW = 'account-directory';
/** The library's default idleDelayMs (StreamRunnerOptions), and a short one. */
const DEFAULT_IDLE_DELAY_MS = 1_000;
const SHORT_IDLE_DELAY_MS = 50;
/** How often the lag probe reads the document: fast, but leaving moto (one request at a time) to the runner. */
const POLL_MS = 5;
/** Beyond this, a document that does not show the event is a failure, not a lag. */
const VISIBLE_TIMEOUT_MS = 30_000;
/** How long the counts may take to settle (the last batch's checkpoint) after the read model shows an event. */
const SETTLE_TIMEOUT_MS = 3_000;

interface Sizes {
  readonly rounds: number;
  /** One-event-per-batch case: events per round, round-robin over `lagAccounts`. */
  readonly lagEvents: number;
  readonly lagAccounts: number;
  /** Burst case: accounts saved to concurrently, and commands per account. */
  readonly burstAccounts: number;
  readonly burstCommands: number;
}

const FULL: Sizes = {
  rounds: 3,
  lagEvents: 20,
  lagAccounts: 4,
  burstAccounts: 8,
  burstCommands: 25,
};
const QUICK: Sizes = {
  rounds: 1,
  lagEvents: 1,
  lagAccounts: 2,
  burstAccounts: 2,
  burstCommands: 2,
};

interface CaseSpec {
  readonly name: string;
  readonly kind: 'one event per batch' | 'burst';
  readonly runners: number;
  readonly idleDelayMs: number;
}

/** What one run of a case measured. */
interface CaseRun {
  readonly events: number;
  readonly counts: ProjectionRequestCounts;
  /** Renewals over the runners' whole lifetime, and that lifetime. */
  readonly renewals: number;
  readonly runnerSeconds: number;
  readonly getRecordsMs: readonly number[];
  readonly applyMs: readonly number[];
  readonly lagsMs: readonly number[];
  readonly seconds?: number;
}

/**
 * Projections on the local endpoint, with the real stream runner (DynamoProjectionsModule) applying the sample's
 * `account-directory` projection, and a separate writer saving the sample's Account one event per command. Counts
 * come from the runner's own clients (ProjectionRequestTally), over a window that starts once the accounts are
 * open and shown and ends once the last batch is checkpointed. Rounds interleave the cases; every run of a case
 * has fresh tables and fresh applications, all stopped before the next.
 */
export async function measureProjections(
  endpoint: BenchEndpoint,
  { quick }: { quick: boolean },
): Promise<ProjectionRow[]> {
  const sizes = quick ? QUICK : FULL;
  const burst = `burst: ${sizes.burstAccounts} accounts × ${sizes.burstCommands} saves, concurrent`;
  const single = `1 event per batch: ${sizes.lagAccounts} accounts in turn`;
  const cases: CaseSpec[] = [
    { name: single, kind: 'one event per batch', runners: 1, idleDelayMs: DEFAULT_IDLE_DELAY_MS },
    { name: single, kind: 'one event per batch', runners: 1, idleDelayMs: SHORT_IDLE_DELAY_MS },
    { name: burst, kind: 'burst', runners: 1, idleDelayMs: SHORT_IDLE_DELAY_MS },
    { name: burst, kind: 'burst', runners: 3, idleDelayMs: SHORT_IDLE_DELAY_MS },
  ];
  const runs = cases.map(() => [] as CaseRun[]);
  for (let round = 0; round < sizes.rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const index = (i + round) % cases.length;
      runs[index]!.push(await runCase(endpoint, cases[index]!, sizes));
    }
  }
  return cases.map((spec, index) => rowOf(spec, runs[index]!));
}

async function runCase(endpoint: BenchEndpoint, spec: CaseSpec, sizes: Sizes): Promise<CaseRun> {
  const eventsTable = await endpoint.newTable();
  const tables = { eventsTable, ...(await endpoint.newProjectionTables()) };
  const writerClient = endpoint.newClient();
  const probeClient = endpoint.newClient();
  const writer = await startAccountStore(writerClient, eventsTable, Number.MAX_SAFE_INTEGER);
  const runners: ProjectionRunnerApp[] = [];
  try {
    const directory = new ViewRepository<AccountSummary>(
      new DynamoViewStore({ client: probeClient, tableName: tables.viewsTable }),
      VIEW,
    );
    const accountCount = spec.kind === 'burst' ? sizes.burstAccounts : sizes.lagAccounts;
    // Opened before the runners start, so that their first read finds the openings (no idle wait to warm up).
    const accounts = await Promise.all(
      Array.from({ length: accountCount }, () => openAccount(writer.accounts)),
    );

    const startedAt = performance.now();
    for (let i = 0; i < spec.runners; i++) {
      runners.push(
        await startProjectionRunner(endpoint, tables, { idleDelayMs: spec.idleDelayMs }),
      );
    }
    await Promise.all(accounts.map((account) => account.shown(directory)));
    await settled(runners);

    const before = runners.map((runner) => runner.tally.snapshot());
    const timingsFrom = runners.map((runner) => [
      runner.tally.getRecordsMs.length,
      runner.tally.applyMs.length,
    ]);
    const work =
      spec.kind === 'burst'
        ? await saveBurst(accounts, directory, sizes.burstCommands, writer.accounts)
        : await saveOneByOne(accounts, directory, sizes.lagEvents, writer.accounts, spec);
    await settled(runners);
    const counts = countsBetween(
      before,
      runners.map((runner) => runner.tally.snapshot()),
    );
    const getRecordsMs = runners.flatMap((runner, i) =>
      runner.tally.getRecordsMs.slice(timingsFrom[i]![0]),
    );
    const applyMs = runners.flatMap((runner, i) => runner.tally.applyMs.slice(timingsFrom[i]![1]));

    const tallies = runners.map((runner) => runner.tally);
    await closeAll(runners.splice(0));
    return {
      ...work,
      counts,
      // Over the runners' whole lifetime: renewals keep their own clock, whatever the window.
      renewals: tallies.reduce((sum, tally) => sum + tally.snapshot().renewals, 0),
      runnerSeconds: (performance.now() - startedAt) / 1000,
      getRecordsMs,
      applyMs,
    };
  } finally {
    await closeAll(runners);
    await writer.close();
    writerClient.destroy();
    probeClient.destroy();
  }
}

/**
 * Each event saved alone, after a pause drawn from [0, idleDelayMs) so that saves fall at random points of the
 * runner's read-wait cycle; then the document is polled until it shows it: one record, so one event of one stream,
 * per batch.
 */
async function saveOneByOne(
  accounts: readonly OpenAccount[],
  directory: ViewRepository<AccountSummary>,
  events: number,
  repository: AggregateRepository<Account>,
  spec: CaseSpec,
): Promise<Pick<CaseRun, 'events' | 'lagsMs'>> {
  const lagsMs: number[] = [];
  for (let i = 0; i < events; i++) {
    const account = accounts[i % accounts.length]!;
    await sleep(Math.random() * spec.idleDelayMs);
    await account.deposit(repository);
    const savedAt = performance.now();
    const shownAt = await account.shown(directory);
    lagsMs.push(shownAt - savedAt);
  }
  return { events, lagsMs };
}

/** Every account's commands at once, each account's one after another; then polled until all show. */
async function saveBurst(
  accounts: readonly OpenAccount[],
  directory: ViewRepository<AccountSummary>,
  commands: number,
  repository: AggregateRepository<Account>,
): Promise<Pick<CaseRun, 'events' | 'lagsMs' | 'seconds'>> {
  const start = performance.now();
  await Promise.all(
    accounts.map(async (account) => {
      for (let i = 0; i < commands; i++) await account.deposit(repository);
    }),
  );
  const shownAt = await Promise.all(accounts.map((account) => account.shown(directory)));
  return {
    events: accounts.length * commands,
    lagsMs: [],
    seconds: (Math.max(...shownAt) - start) / 1000,
  };
}

interface OpenAccount {
  /** One command: load, deposit 1, save (one event). */
  deposit(repository: AggregateRepository<Account>): Promise<void>;
  /** Polls the document until it shows every deposit made; resolves to performance.now() at that answer. */
  shown(directory: ViewRepository<AccountSummary>): Promise<number>;
}

async function openAccount(repository: AggregateRepository<Account>): Promise<OpenAccount> {
  const id = randomUUID();
  const account = await repository.load(id);
  account.open(`Bench ${id.slice(0, 8)}`);
  await repository.save(account);
  let balance = 0;
  return {
    async deposit(accounts) {
      const loaded = await accounts.load(id);
      loaded.deposit(1);
      await accounts.save(loaded);
      balance += 1;
    },
    async shown(directory) {
      const deadline = performance.now() + VISIBLE_TIMEOUT_MS;
      for (;;) {
        const document = await directory.get(id);
        const answeredAt = performance.now();
        if (document?.balanceCents === balance) return answeredAt;
        if (answeredAt > deadline) {
          throw new Error(
            `Account ${id}: the read model shows ${JSON.stringify(document)} after ` +
              `${VISIBLE_TIMEOUT_MS} ms, not balance ${balance}.`,
          );
        }
        await sleep(POLL_MS);
      }
    },
  };
}

/** Waits until every batch handed to the projections has its checkpoint sent (or the timeout passes). */
async function settled(runners: readonly ProjectionRunnerApp[]): Promise<void> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  const pending = () =>
    runners.some(({ tally }) => {
      const { batches, checkpoints } = tally.snapshot();
      return checkpoints < batches;
    });
  while (pending() && performance.now() < deadline) await sleep(POLL_MS);
}

async function closeAll(runners: readonly ProjectionRunnerApp[]): Promise<void> {
  const results = await Promise.allSettled(runners.map((runner) => runner.close()));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

function rowOf(spec: CaseSpec, runs: readonly CaseRun[]): ProjectionRow {
  const counts = runs.map((run) => run.counts).reduce(addCounts);
  const events = runs.reduce((sum, run) => sum + run.events, 0);
  const viewWritesPerEvent = counts.viewWrites / events;
  const eventQueriesPerEvent = counts.eventQueries / events;
  const checkpointsPerBatch = counts.checkpoints / counts.batches;
  const lagsMs = runs.flatMap((run) => run.lagsMs);
  const rates = runs.flatMap((run) => (run.seconds ? [run.events / run.seconds] : []));
  return {
    case: spec.name,
    runners: spec.runners,
    idleDelayMs: spec.idleDelayMs,
    events,
    batches: counts.batches,
    eventsPerBatch: events / counts.batches,
    viewWritesPerEvent,
    eventQueriesPerEvent,
    checkpointsPerBatch,
    renewalsPerSecond:
      runs.reduce((sum, run) => sum + run.renewals, 0) /
      runs.reduce((sum, run) => sum + run.runnerSeconds, 0),
    eventsPerSecond: rates.length ? median(rates) : undefined,
    lagMedianMs: lagsMs.length ? median(lagsMs) : undefined,
    lagP95Ms: lagsMs.length ? percentile(lagsMs, 0.95) : undefined,
    getRecordsMs: median(runs.flatMap((run) => run.getRecordsMs)),
    applyMs: median(runs.flatMap((run) => run.applyMs)),
    goals: goalsOf(viewWritesPerEvent, eventQueriesPerEvent, checkpointsPerBatch),
  };
}

function goalsOf(viewWrites: number, eventQueries: number, checkpoints: number): string {
  const missed = [
    ...(viewWrites > 1 ? [`view writes ${viewWrites.toFixed(2)}/event > 1`] : []),
    ...(eventQueries > 0 ? [`event queries ${eventQueries.toFixed(2)}/event > 0`] : []),
    ...(checkpoints > 1 ? [`checkpoints ${checkpoints.toFixed(2)}/batch > 1`] : []),
  ];
  return missed.length ? `missed: ${missed.join('; ')}` : 'met';
}
