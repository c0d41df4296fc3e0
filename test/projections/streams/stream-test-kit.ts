import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoEventStore } from '../../../lib/index.js';
import { createLeaseTable } from '../../../lib/projections/streams/create-lease-table.js';
import {
  decodeLease,
  type Lease,
  leaseKeyOf,
} from '../../../lib/projections/streams/lease-item.js';
import type { StreamRunnerLogger } from '../../../lib/projections/streams/stream-records.js';
import {
  StreamRunner,
  type StreamRunnerOptions,
} from '../../../lib/projections/streams/stream-runner.js';
import { createTestTable, testClient, testClientConfig } from '../../support/dynamodb.js';
import { alterStreams, type StreamsAlterations } from './stream-alterations.js';

/** Short times, so that a failover takes a second and a half rather than ten. */
export const TEST_TIMES = {
  failoverTimeMs: 1_500,
  renewIntervalMs: 250,
  idleDelayMs: 50,
  retryBackoffMs: () => 50,
} as const;

/** An events table with its stream, a lease table, and what writes to the one and reads the other. */
export interface StreamFixture {
  readonly client: DynamoDBClient;
  readonly eventsTable: string;
  readonly leaseTable: string;
  readonly store: DynamoEventStore;
  readonly streamArn: string;
  /** A fresh Streams client, altered as told. */
  streamsClient(alterations?: StreamsAlterations): DynamoDBStreamsClient;
  /** Runners of this fixture with the test times; all stopped by `close()`. */
  runner(
    options: Partial<StreamRunnerOptions> & Pick<StreamRunnerOptions, 'handler'>,
  ): StreamRunner;
  /** Appends `count` events, one per append, spread over `streams` streams; their keys, in order of writing. */
  appendEvents(count: number, options?: { streams?: number; prefix?: string }): Promise<string[]>;
  lease(shardId: string): Promise<Lease | undefined>;
  /** moto's one shard. */
  realShardId(): Promise<string>;
  close(): Promise<void>;
}

export async function streamFixture(): Promise<StreamFixture> {
  const client = testClient();
  const eventsTable = await createTestTable(client);
  const leaseTable = `leases-test-${randomUUID()}`;
  await createLeaseTable(client, leaseTable);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: eventsTable }));
  const streamArn = Table!.LatestStreamArn!;
  const store = new DynamoEventStore({ client, tableName: eventsTable });
  const runners: StreamRunner[] = [];
  const streamsClients: DynamoDBStreamsClient[] = [];
  const versions = new Map<string, number>();
  let appended = 0;

  const streamsClient = (alterations?: StreamsAlterations) => {
    const streams = new DynamoDBStreamsClient(testClientConfig());
    streamsClients.push(streams);
    return alterations ? alterStreams(streams, alterations) : streams;
  };

  return {
    client,
    eventsTable,
    leaseTable,
    store,
    streamArn,
    streamsClient,
    runner(options) {
      const runner = new StreamRunner({
        dynamodb: client,
        streams: options.streams ?? streamsClient(),
        eventsTable,
        leaseTable,
        logger: silentLogger(options.workerId),
        ...TEST_TIMES,
        ...options,
      });
      runners.push(runner);
      return runner;
    },
    async appendEvents(count, { streams = 3, prefix = 'account' } = {}) {
      const keys: string[] = [];
      for (let i = 0; i < count; i++) {
        const streamId = `${prefix}-${(appended + i) % streams}`;
        const version = (versions.get(streamId) ?? 0) + 1;
        await store.appendToStream(streamId, version - 1, [
          { type: 'Deposited', payload: { amount: i } },
        ]);
        versions.set(streamId, version);
        keys.push(`${streamId}#${version}`);
      }
      appended += count;
      return keys;
    },
    async lease(shardId) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: leaseTable,
          Key: { leaseKey: { S: leaseKeyOf(streamArn, shardId) } },
          ConsistentRead: true,
        }),
      );
      return Item ? decodeLease(Item) : undefined;
    },
    async realShardId() {
      const streams = streamsClient();
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn }),
      );
      return StreamDescription!.Shards![0]!.ShardId!;
    },
    async close() {
      await Promise.all(runners.map((runner) => runner.stop()));
      for (const streams of streamsClients) streams.destroy();
      client.destroy();
    },
  };
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface RecordingLogger extends StreamRunnerLogger {
  readonly messages: { level: 'log' | 'warn' | 'error'; message: string }[];
}

/** Keeps what the runner logs; prints it too when STREAM_RUNNER_LOG is set. */
export function silentLogger(name = ''): RecordingLogger {
  const messages: RecordingLogger['messages'] = [];
  const keep = (level: 'log' | 'warn' | 'error') => (message: string) => {
    messages.push({ level, message });
    if (process.env.STREAM_RUNNER_LOG) {
      process.stderr.write(`${performance.now().toFixed(0)} ${level} ${name} ${message}\n`);
    }
  };
  return { messages, log: keep('log'), warn: keep('warn'), error: keep('error') };
}

/** The sequence number of a record. */
export function sequenceOf(record: StreamRecord): string {
  return record.dynamodb!.SequenceNumber!;
}

/** A promise and the function that resolves it. */
export function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
