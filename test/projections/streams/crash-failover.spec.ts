import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { keyOf } from './stream-alterations.js';
import { type StreamFixture, streamFixture, TEST_TIMES, waitFor } from './stream-test-kit.js';

let fixture: StreamFixture;

beforeAll(async () => {
  fixture = await streamFixture();
});
afterAll(() => fixture.close());

const loader = fileURLToPath(new URL('../../support/typescript-loader.js', import.meta.url));
const script = fileURLToPath(new URL('./killed-runner-process.ts', import.meta.url));

/** Starts the worker process; resolves with it once it printed `line`. */
function startWorker(env: Record<string, string>, line: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(`file://${loader}`)});`,
      script,
    ],
    {
      // jest's --experimental-vm-modules is not for the child.
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const printed = (wanted: string) =>
    new Promise<void>((resolve, reject) => {
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        if (stdout.split('\n').includes(wanted)) resolve();
      });
      child.once('exit', (code) =>
        reject(new Error(`the worker exited (${code}) before printing "${wanted}": ${stderr}`)),
      );
    });
  return { child, exited, printed: printed(line) };
}

describe('StreamRunner: a worker killed in the middle of a batch', () => {
  it('another runner takes its lease after the failover time and delivers from its last checkpoint: nothing lost, one batch at most again', async () => {
    const receivedTable = `received-${randomUUID()}`;
    await fixture.client.send(
      new CreateTableCommand({
        TableName: receivedTable,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const written = await fixture.appendEvents(40);
    const shardId = await fixture.realShardId();
    const maxRecordsPerCall = 10;
    const killedWorker = `killed-${randomUUID().slice(0, 8)}`;

    // Batches of 10: the first two are checkpointed; the kill lands on the 5th record of the third.
    const worker = startWorker(
      {
        WORKER_ID: killedWorker,
        EVENTS_TABLE: fixture.eventsTable,
        LEASE_TABLE: fixture.leaseTable,
        RECEIVED_TABLE: receivedTable,
        BLOCK_AT: written[24]!,
        FAILOVER_TIME_MS: String(TEST_TIMES.failoverTimeMs),
        RENEW_INTERVAL_MS: String(TEST_TIMES.renewIntervalMs),
        MAX_RECORDS: String(maxRecordsPerCall),
      },
      'blocked',
    );
    try {
      await worker.printed;
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    const { Items = [] } = await fixture.client.send(
      new ScanCommand({ TableName: receivedTable, ConsistentRead: true }),
    );
    const receivedByKilled = Items.map((item) => ({
      key: item.key!.S!,
      sequence: item.sequence!.S!,
    })).sort((a, b) => (BigInt(a.sequence) < BigInt(b.sequence) ? -1 : 1));
    expect(receivedByKilled.map((item) => item.key)).toEqual(written.slice(0, 25));
    const leaseAtKill = await fixture.lease(shardId);
    expect(leaseAtKill).toMatchObject({
      leaseOwner: killedWorker,
      checkpoint: receivedByKilled[19]!.sequence,
    });

    const delivered: StreamRecord[] = [];
    let firstDeliveryAt: number | undefined;
    const successor = fixture.runner({
      maxRecordsPerCall,
      handler: ({ records }) => {
        firstDeliveryAt ??= performance.now();
        delivered.push(...records);
        return Promise.resolve();
      },
    });
    const startedAt = performance.now();
    await successor.start();
    expect(successor.status().leases).toEqual([expect.objectContaining({ owned: false })]);
    await waitFor('the records after the checkpoint', () => delivered.length >= 20);

    // It waited out the failover time, measured from its own first sight of the lease.
    expect(firstDeliveryAt! - startedAt).toBeGreaterThanOrEqual(TEST_TIMES.failoverTimeMs);
    const deliveredKeys = delivered.map(keyOf);
    expect(deliveredKeys).toEqual(written.slice(20));
    const receivedKeys = new Set(receivedByKilled.map((item) => item.key));
    const readAgain = deliveredKeys.filter((key) => receivedKeys.has(key));
    expect(readAgain).toEqual(written.slice(20, 25));
    expect(readAgain.length).toBeLessThanOrEqual(maxRecordsPerCall);
    expect(new Set([...receivedKeys, ...deliveredKeys])).toEqual(new Set(written));
  });
});
