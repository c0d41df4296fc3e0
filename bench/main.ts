import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureCpuVersusRawSdk } from './cpu-versus-raw-sdk.js';
import { measureEndToEnd } from './end-to-end.js';
import { measureLambdaColdStart } from './lambda-cold-start.js';
import { measureHistoryMemory } from './memory.js';
import { measurePeerCastore } from './peer-castore.js';
import { measureProjections } from './projections.js';
import { measureRequestsAndCapacity } from './requests-and-capacity.js';
import { startBenchEndpoint } from './support/local-endpoint.js';
import { measureTelemetryOverhead } from './telemetry-overhead.js';
import { printTable } from './support/report.js';

/**
 * npm run bench: every figure in one run, printed as tables and written as JSON to .bench-results/.
 * --quick runs each case once, small, to check that it completes; its figures mean nothing.
 * --only <key>[,<key>] runs those sections alone (their keys in the JSON: lambdaColdStart, projections, …).
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(process.argv[onlyAt + 1]?.split(',')) : undefined;
  const endpoint = await startBenchEndpoint();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    quick,
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    endpoint: endpoint.embedded ? 'embedded moto (one request at a time)' : endpoint.endpoint,
  };
  console.log(
    `nestjs-dynamo-es bench${quick ? ' (quick: each case once, figures meaningless)' : ''}: ` +
      `${String(results.date)}, Node ${process.version}, ${String(results.cpu)}, endpoint ${String(results.endpoint)}`,
  );
  const section = async <T extends object>(
    key: string,
    title: string,
    run: () => Promise<T[]>,
    notes: readonly string[] = [],
  ) => {
    if (only && !only.has(key)) return;
    const rows = await run();
    printTable(title, rows);
    for (const note of notes) console.log(note);
    results[key] = rows;
  };
  try {
    await section(
      'requestsAndCapacity',
      '1. Requests and capacity per operation (counted from the SDK; capacity from item sizes by DynamoDB rules)',
      () => measureRequestsAndCapacity(endpoint, { quick }),
    );
    await section(
      'cpuVersusRawSdk',
      '2. CPU per operation (µs, median of interleaved rounds, stubbed transport): library vs the bare SDK client',
      () => measureCpuVersusRawSdk({ quick }),
    );
    await section('peerCastore', '3. Side by side with castore’s DynamoDB adapter', () =>
      measurePeerCastore(endpoint, { quick }),
    );
    await section('historyMemory', '4. Memory while streaming history() (stubbed 1 MB pages)', () =>
      measureHistoryMemory({ quick }),
    );
    await section(
      'endToEnd',
      '5. End to end: the sample app over HTTP on the local endpoint (moto, sanity only: it is far slower than DynamoDB)',
      () => measureEndToEnd(endpoint, { quick }),
    );
    await section(
      'projections',
      '6. Projections: the stream runner applying the sample’s account-directory on the local endpoint ' +
        '(requests counted from the runner’s clients; times on moto, sanity only)',
      () => measureProjections(endpoint, { quick }),
      [
        'Counts: viewWrites = PutItem/TransactWriteItems/UpdateItem on the views table; eventQueries = Query on the ' +
          'events table; checkpoints = lease UpdateItems setting a checkpoint; batches = GetRecords answers with ' +
          'records; renewals = counter-only lease UpdateItems. Goals: ≤ 1 view write per event, 0 queries, ≤ 1 ' +
          'checkpoint per batch.',
        'Renewals: one per owned lease every renewIntervalMs (by default failoverTimeMs / 3 = 3.3 s, 0.3/s); a run ' +
          'of a few seconds may see none.',
        'One event per batch gives the cost of an in-order event alone; in a burst a batch holds several events ' +
          'of a stream and they cost one view write together, hence < 1.',
        'Lag is bounded by idleDelayMs + one GetRecords + the apply (plus the 5 ms poll). moto has one shard, ' +
          'so only one of 3 runners reads it: more runners cannot read faster there.',
      ],
    );
    await section(
      'lambdaColdStart',
      '7. Lambda cold start: fresh node processes, one at a time (ms, median; this machine, not Lambda’s CPU share)',
      () => measureLambdaColdStart(endpoint, { quick }),
      [
        'The function file is a user’s: nestjs-dynamo-es, /projections and /lambda with the sample’s Account ' +
          'events, aggregate and AccountDirectoryProjection. Its first invocation creates the application context ' +
          'and applies the batch on the local endpoint (moto: its requests are slower than DynamoDB’s), into a views ' +
          'table of its own. On Lambda, CPU scales with memory (one vCPU at 1,769 MB): below that, imports take longer.',
      ],
    );
    await section(
      'telemetryOverhead',
      '8. Tracing: CPU of a command (load 10, deposit, save 1; µs, median of interleaved rounds, stubbed transport)',
      () => measureTelemetryOverhead({ quick }),
      [
        '“off” is openTelemetry: false, the code path of an application without @opentelemetry/api installed ' +
          '(both run with NO_TRACING). Each row is its own interleaved run against “off”.',
      ],
    );
  } finally {
    await endpoint.stop();
  }
  const directory = join(process.cwd(), '.bench-results');
  await mkdir(directory, { recursive: true });
  const file = join(directory, `bench-${quick ? 'quick-' : ''}${Date.now()}.json`);
  await writeFile(file, JSON.stringify(results, null, 2));
  console.log(`\nFigures written to ${file}`);
}

await main();
