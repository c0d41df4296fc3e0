import type { _Record as StreamRecord, ShardIteratorType } from '@aws-sdk/client-dynamodb-streams';
import { dynamoDBClientConfig } from '../dynamodb/client.js';
import { isAborted, isExpiredIterator } from '../dynamodb/sdk-errors.js';
import { storedEventsOf } from '../projections/stream-events.js';
import { latestStreamArnOf } from '../projections/streams/stream-arn.js';
import { delay } from '../projections/streams/delay.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { helpCommandOf, parseCommandLine } from './command-line.js';
import {
  cliClient,
  describeTarget,
  eventsTableOf,
  TARGET_OPTIONS,
  targetOf,
} from './dynamodb-target.js';
import { eventJson, eventLine } from './event-lines.js';
import { dynamoDBFailureMessage } from './failure-message.js';
import { importWithOptionalPeer } from './optional-peer.js';
import { CLI_NAME, TAIL_USAGE } from './usage.js';

const COMMAND = 'tail';
const STARTS = { latest: 'LATEST', 'trim-horizon': 'TRIM_HORIZON' } as const;
/** Between GetRecords calls that found nothing: AWS allows about 5 calls a second per shard, shared by its readers. */
const IDLE_DELAY_MS = 1000;

/** Between looks for the children of a shard that ended, until DynamoDB lists them. */
const CHILD_SHARD_DELAY_MS = 5000;

type StreamsSdk = Awaited<ReturnType<typeof loadStreamsSdk>>;

interface Shard {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  readonly closed: boolean;
}

/**
 * `tail`: prints the events appended to the table as its DynamoDB stream delivers them, until Ctrl-C. It reads the
 * open shards, and the children of a shard once it ends; it keeps no checkpoint and takes no lease: a window onto the
 * stream for a person, not a consumer.
 */
export async function tail(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(TAIL_USAGE);
    return EXIT_OK;
  }
  const values = parseCommandLine(COMMAND, args, {
    table: { type: 'string' },
    ...TARGET_OPTIONS,
    from: { type: 'string' },
    json: { type: 'boolean' },
  });
  const tableName = eventsTableOf(values.table, io.env, COMMAND);
  const target = targetOf(values, io.env, COMMAND);
  const from = values.from ?? 'latest';
  if (!Object.hasOwn(STARTS, from))
    throw new CliUsageError(
      `Invalid --from "${from}": expected latest or trim-horizon.`,
      helpCommandOf(COMMAND),
    );
  const start = STARTS[from as keyof typeof STARTS];

  const sdk = await loadStreamsSdk();
  const stop = new AbortController();
  void io.untilInterrupted?.().then(() => stop.abort());
  const client = cliClient(target, io.env);
  const streams = sdk.createDynamoDBStreamsClient({
    clientConfig: dynamoDBClientConfig(target, io.env),
  });
  const where = await describeTarget(client, target.endpoint);
  const print = (records: readonly StreamRecord[]) => {
    const skipped = (record: StreamRecord, reason: string) =>
      io.stderr.write(
        `${CLI_NAME}: Skipped record ${record.dynamodb?.SequenceNumber}: ${reason}\n`,
      );
    for (const event of storedEventsOf(records, skipped))
      io.stdout.write(
        `${values.json ? JSON.stringify(eventJson(event)) : eventLine(event, { withStreamId: true })}\n`,
      );
  };
  try {
    const streamArn = await latestStreamArnOf(client, tableName);
    const reader = new StreamReader(sdk, streams, streamArn, print, stop.signal);
    const shards = await reader.start(start);
    io.stderr.write(
      `Tailing table "${tableName}" ${where} from ${from === 'latest' ? 'now on' : 'the oldest record kept'} ` +
        `(${shards} open ${shards === 1 ? 'shard' : 'shards'}); Ctrl-C to stop.\n`,
    );
    await reader.done;
    io.stderr.write('Stopped.\n');
    return EXIT_OK;
  } catch (error) {
    if (stop.signal.aborted && isAborted(error)) {
      io.stderr.write('Stopped.\n');
      return EXIT_OK;
    }
    io.stderr.write(
      `${CLI_NAME}: ${dynamoDBFailureMessage(error, tableName, where, 'read the stream of')}\n`,
    );
    return EXIT_FAILURE;
  } finally {
    stop.abort();
    streams.destroy();
    client.destroy();
  }
}

function loadStreamsSdk() {
  return importWithOptionalPeer(
    async () => {
      const [sdk, clients, shards] = await Promise.all([
        import('@aws-sdk/client-dynamodb-streams'),
        import('../projections/streams-client.js'),
        import('../projections/streams/stream-shards.js'),
      ]);
      return {
        GetShardIteratorCommand: sdk.GetShardIteratorCommand,
        GetRecordsCommand: sdk.GetRecordsCommand,
        createDynamoDBStreamsClient: clients.createDynamoDBStreamsClient,
        listStreamShards: shards.listStreamShards,
      };
    },
    '@aws-sdk/client-dynamodb-streams',
    "tail reads the table's stream with it",
  );
}

/** Reads each shard on its own; `done` settles when the signal aborts, or rejects on the first failure. */
class StreamReader {
  private readonly known = new Set<string>();
  private failed?: (error: unknown) => void;
  readonly done: Promise<void>;

  constructor(
    private readonly sdk: StreamsSdk,
    private readonly streams: ReturnType<StreamsSdk['createDynamoDBStreamsClient']>,
    private readonly streamArn: string,
    private readonly print: (records: readonly StreamRecord[]) => void,
    private readonly signal: AbortSignal,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.failed = reject;
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Starts a reader on every open shard; resolves to how many, once each has its first iterator. */
  async start(type: ShardIteratorType): Promise<number> {
    const shards = await this.listShards();
    for (const shard of shards) this.known.add(shard.shardId);
    const open = shards.filter((shard) => !shard.closed);
    const iterators = await Promise.all(open.map((shard) => this.iteratorOf(shard.shardId, type)));
    open.forEach((shard, index) => this.read(shard.shardId, iterators[index]));
    return open.length;
  }

  private listShards(): Promise<Shard[]> {
    return this.sdk.listStreamShards(this.streams, this.streamArn, this.signal);
  }

  private async iteratorOf(shardId: string, type: ShardIteratorType, after?: string) {
    const { ShardIterator } = await this.streams.send(
      new this.sdk.GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: after === undefined ? type : 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: after,
      }),
      { abortSignal: this.signal },
    );
    return ShardIterator;
  }

  private read(shardId: string, first: string | undefined): void {
    this.readShard(shardId, first).catch((error: unknown) => {
      if (!(this.signal.aborted && isAborted(error))) this.failed?.(error);
    });
  }

  private async readShard(shardId: string, first: string | undefined): Promise<void> {
    let iterator = first;
    let last: string | undefined;
    while (iterator !== undefined && !this.signal.aborted) {
      let page;
      try {
        page = await this.streams.send(
          new this.sdk.GetRecordsCommand({ ShardIterator: iterator }),
          {
            abortSignal: this.signal,
          },
        );
      } catch (error) {
        // Iterators last 15 minutes on AWS: a quiet shard outlives one.
        if (!isExpiredIterator(error)) throw error;
        iterator = await this.iteratorOf(shardId, 'LATEST', last);
        continue;
      }
      const records = page.Records ?? [];
      this.print(records);
      last = records.at(-1)?.dynamodb?.SequenceNumber ?? last;
      iterator = page.NextShardIterator;
      if (records.length === 0 && iterator !== undefined) await delay(IDLE_DELAY_MS, this.signal);
    }
    if (!this.signal.aborted) await this.readChildrenOf(shardId);
  }

  /** A shard ends when DynamoDB rolls the stream over (every few hours): its children take over, from their start. */
  private async readChildrenOf(shardId: string): Promise<void> {
    let children: Shard[] = [];
    while (children.length === 0 && !this.signal.aborted) {
      children = (await this.listShards()).filter(
        (shard) => !this.known.has(shard.shardId) && shard.parentShardIds.includes(shardId),
      );
      if (children.length === 0) await delay(CHILD_SHARD_DELAY_MS, this.signal);
    }
    for (const child of children) {
      this.known.add(child.shardId);
      this.read(child.shardId, await this.iteratorOf(child.shardId, 'TRIM_HORIZON'));
    }
  }
}
