import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
    endpoint: endpoint.embedded ? 'embedded moto' : endpoint.endpoint,
  };
  try {
    const capacity = await measureRequestsAndCapacity(endpoint, { quick });
    printTable(
      '1. Requests and capacity per operation (capacity from item sizes, DynamoDB rules)',
      capacity,
    );
    results.requestsAndCapacity = capacity;
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
