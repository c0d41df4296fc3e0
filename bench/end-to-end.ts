import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, percentile } from './support/cpu-timer.js';
import { AccountFlowClient, readModelBalances, RequestTally } from './support/e2e-account-flow.js';
import { startSampleServer } from './support/e2e-sample-server.js';
import type { BenchEndpoint } from './support/local-endpoint.js';

export interface EndToEndRow {
  /** Concurrent clients, each on an account of its own. */
  readonly clients: number;
  /** Deposit, withdrawal and get-state requests in the timed loop, each counted once (account opening excluded). */
  readonly commands: number;
  readonly seconds: number;
  readonly commandsPerSecond: number;
  /** Latency of one request, as the client sees it. */
  readonly medianMs: number;
  readonly p95Ms: number;
  /** Requests not answered 2xx, warm-up included: there should be none. */
  readonly failures: number;
  /**
   * Whether every state read and final stored state is what the client's commands add up to, and the read model's
   * balance too once the projections runner caught up (it trails the commands; waited for up to 10 s).
   */
  readonly balances: string;
  readonly note: string;
}

const CLIENT_COUNTS = [1, 8];
/** Per client count; with server start-up and warm-up the section stays under 40 s. */
const FULL_RUN_SECONDS = 12;
const QUICK_ITERATIONS = 2;
const COUNTED = 'commands = deposit + withdrawal + get-state requests';
/** How long the read model may trail the last command before its balances count as wrong. */
const READ_MODEL_WAIT_MS = 10_000;
const READ_MODEL_POLL_MS = 50;
const MOTO_NOTE = 'moto, sanity only: moto serialises requests and is far slower than DynamoDB';

/**
 * The sample app end to end: a real HTTP server on the local endpoint, driven over HTTP by 1 and by 8 concurrent
 * clients, each opening its own account and then looping deposit, withdrawal, get state. A sanity figure only.
 */
export async function measureEndToEnd(
  endpoint: BenchEndpoint,
  { quick }: { quick: boolean },
): Promise<EndToEndRow[]> {
  const note = `${COUNTED}; ${endpoint.embedded ? MOTO_NOTE : `${endpoint.endpoint}, sanity only`}`;
  const rows: EndToEndRow[] = [];
  for (const clients of CLIENT_COUNTS) {
    rows.push({
      ...(await measureClients(
        endpoint,
        clients,
        quick ? { iterations: QUICK_ITERATIONS } : { seconds: FULL_RUN_SECONDS },
      )),
      note,
    });
  }
  return rows;
}

type RunLength = { readonly iterations: number } | { readonly seconds: number };

async function measureClients(
  endpoint: BenchEndpoint,
  clients: number,
  length: RunLength,
): Promise<Omit<EndToEndRow, 'note'>> {
  // Fresh tables each time: moto slows as a table grows.
  const server = await startSampleServer(endpoint.endpoint, {
    eventsTable: await endpoint.newTable(),
    ...(await endpoint.newProjectionTables()),
  });
  try {
    const flows = await Promise.all(
      Array.from({ length: clients }, (_, i) => AccountFlowClient.open(server.url, `Client ${i}`)),
    );
    // Connections, compiled code and the app's first requests are not what is measured.
    const warmUp = new RequestTally();
    await Promise.all(flows.map((flow) => flow.runFlow(warmUp)));

    const tally = new RequestTally();
    const start = performance.now();
    const goOn =
      'iterations' in length
        ? (done: number) => done < length.iterations
        : () => performance.now() - start < length.seconds * 1000;
    await Promise.all(
      flows.map(async (flow) => {
        for (let done = 0; goOn(done); done++) await flow.runFlow(tally);
      }),
    );
    const seconds = (performance.now() - start) / 1000;

    const failures = warmUp.failures + tally.failures;
    if (failures > 0)
      console.warn(
        `End to end: ${failures} failed requests, the first: ${warmUp.firstFailure ?? tally.firstFailure}`,
      );
    return {
      clients,
      commands: tally.requests,
      seconds,
      commandsPerSecond: tally.requests / seconds,
      medianMs: median(tally.latenciesMs),
      p95Ms: percentile(tally.latenciesMs, 0.95),
      failures,
      balances: await balancesCheck(server.url, flows),
    };
  } finally {
    await server.close();
  }
}

async function balancesCheck(
  baseUrl: string,
  flows: readonly AccountFlowClient[],
): Promise<string> {
  const storedWrong = await Promise.all(
    flows.map(async (flow) => {
      const stored = await flow.state();
      return !stored || !flow.matches(stored);
    }),
  );
  const projectedWrong = await readModelLagging(baseUrl, flows);
  const wrongAtTheEnd = storedWrong.map((wrong, i) => wrong || projectedWrong[i]!);
  const wrongAccounts = wrongAtTheEnd.filter(Boolean).length;
  const wrongReads = flows.reduce((total, flow) => total + flow.stateMismatches, 0);
  return wrongAccounts === 0 && wrongReads === 0
    ? 'consistent'
    : `${wrongAccounts} of ${flows.length} accounts wrong at the end, ${wrongReads} reads wrong during the run`;
}

/** For each client, whether the read model still disagrees with its commands once the wait for it is over. */
async function readModelLagging(
  baseUrl: string,
  flows: readonly AccountFlowClient[],
): Promise<boolean[]> {
  const deadline = performance.now() + READ_MODEL_WAIT_MS;
  for (;;) {
    const readModel = await readModelBalances(baseUrl);
    const lagging = flows.map(
      (flow) => !flow.matches({ balanceCents: readModel.get(flow.accountId) ?? NaN }),
    );
    if (!lagging.some(Boolean) || performance.now() > deadline) return lagging;
    await sleep(READ_MODEL_POLL_MS);
  }
}
