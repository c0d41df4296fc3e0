import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureBytesPerEvent, measureCompressionCpu } from './bytes-per-event.js';
import { measureCpuVersusRawSdk } from './cpu-versus-raw-sdk.js';
import { measureEndToEnd } from './end-to-end.js';
import { measureImportTimes } from './import-times.js';
import { measureLambdaColdStart } from './lambda-cold-start.js';
import { measureHistoryMemoryInFreshProcess } from './memory-process.js';
import { measurePeerCastore } from './peer-castore.js';
import { measureProjections } from './projections.js';
import { measureRequestsAndCapacity } from './requests-and-capacity.js';
import { startBenchEndpoint } from './support/local-endpoint.js';
import { CPU_ROUNDS } from './support/cpu-timer.js';
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
      'bytesPerEvent',
      '1b. Bytes and capacity per event: the current item layout against layout 1 (the one written before it)',
      () => measureBytesPerEvent(endpoint),
      [
        'bytes: the item read back from the table, sized by DynamoDB’s rules (names + values); layout1Bytes: the same ' +
          'event as layout 1 wrote it. wcu: metered from the PutItem sent; replay RCU: 1,000 such events in one ' +
          'strongly consistent Query, their bytes summed and rounded up to 4 KB once.',
      ],
    );
    await section(
      'compressionCpu',
      '1c. CPU of compression per event (µs, median of interleaved rounds; in-memory store, which encodes as DynamoDB’s)',
      () => measureCompressionCpu({ quick }),
    );
    const cpuTiming =
      'Timing: process CPU (user + system, GC and its threads included) per call, median of ' +
      `${CPU_ROUNDS} rounds in which ` +
      'the cases take turns, in rotating order. No GC is forced in or between timed rounds; the only GC control ' +
      'is one global.gc() (node --expose-gc) before each measurement’s warm-up, outside timing, so that the ' +
      'previous measurement’s garbage is not collected in its rounds. A measurement taken with promise hooks on (an ' +
      'AsyncLocalStorage entered earlier in the process, a cost on every promise) is preceded by a ⚠ line.';
    const stubRules =
      'Stub: every Query of every row is answered by one in-memory table (bench/support/stub-table.ts) by ' +
      'DynamoDB’s rules: key condition, ProjectionExpression (only the projected attributes are returned: what ' +
      'the SDK deserialises), Limit, ExclusiveStartKey/LastEvaluatedKey, ScanIndexForward, a page ends once ' +
      'the items read reach 1 MB. Each distinct request’s answer is computed once and sent again as the same ' +
      'Buffer, so the stub’s own work is not in the figures.';
    await section(
      'cpuVersusRawSdk',
      '2. CPU per operation (µs, median of interleaved rounds, stubbed transport): library vs the bare SDK client ' +
        'sending the same requests, vs hand-written code reaching the same result, vs the physical floor',
      () => measureCpuVersusRawSdk({ quick }),
      [
        cpuTiming,
        stubRules,
        'queryAnswer: the Query pages the library’s read is answered with, and their body bytes (what the ' +
          'SDK deserialises). bareSdk: the same requests, items left as attribute values. handWritten: the same requests plus the ' +
          'least decoding and replay code that gives the same result (checked before timing: requests equal ' +
          'once parsed, a save’s fresh id and time aside; decoded events and state equal). A row that fails a ' +
          'check says NOT EQUAL WORK. library runs on a client that caches its handler stacks, as the module ' +
          'creates its store’s; bareSdk and handWritten on a default one; handWrittenOnCachingClient is the same ' +
          'code on a caching client: the least the library could cost on its own.',
        'floor (replays): no SDK at all: the bytes the stub answers to the library’s replay Query, JSON.parse’d, ' +
          'each payload parsed and applied to the sample Account (loadFromHistory). ratioToFloor = library / ' +
          'floor.',
      ],
    );
    await section(
      'peerCastore',
      '3. Side by side with castore’s DynamoDB adapter (same events, each store in its own item layout)',
      () => measurePeerCastore(endpoint, { quick }),
      [
        cpuTiming,
        `${stubRules} Both stores’ answers come from a table of that kind, each holding its own layout’s items ` +
          '(checked before timing against what each store writes).',
        'Rows compare the same work unless their label says NOT EQUAL WORK: the replay row compares our ' +
          'projected read (only the attributes a load needs) with castore’s only read, which returns everything; ' +
          'the equal-work comparison of full reads is the row above it. answers: the size of each store’s ' +
          'Query response body (ours / castore’s), which its SDK client deserialises.',
      ],
    );
    await section(
      'historyMemory',
      '4. Memory while streaming history() (stubbed pages, ending at the request’s Limit or at 1 MB)',
      () => measureHistoryMemoryInFreshProcess({ quick }),
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
    await section(
      'importTimes',
      '9. Import times: each entry in fresh node processes, one at a time, interleaved (ms; the built dist/)',
      () => measureImportTimes({ quick }),
      [
        'Timed from the process’s first line to the end of its import; node’s own start (last row) comes before. ' +
          'The entries resolve by name through package.json’s exports, as an application’s imports do. Section 7 ' +
          'times a whole Lambda function file.',
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
