import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureCpuVersusRawSdk } from './cpu-versus-raw-sdk.js';
import { measureEndToEnd } from './end-to-end.js';
import { measureHistoryMemory } from './memory.js';
import { measurePeerCastore } from './peer-castore.js';
import { measureRequestsAndCapacity } from './requests-and-capacity.js';
import { startBenchEndpoint } from './support/local-endpoint.js';
import { printTable } from './support/report.js';

/**
 * npm run bench: every figure in one run, printed as tables and written as JSON to .bench-results/.
 * --quick runs each case once, small, to check that it completes; its figures mean nothing.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
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
  const section = async <T extends object>(key: string, title: string, run: () => Promise<T[]>) => {
    const rows = await run();
    printTable(title, rows);
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
