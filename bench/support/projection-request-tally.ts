import { performance } from 'node:perf_hooks';
import type {
  DynamoDBClient,
  ServiceInputTypes,
  ServiceOutputTypes,
} from '@aws-sdk/client-dynamodb';
import type {
  DynamoDBStreamsClient,
  ServiceInputTypes as StreamsInputTypes,
  ServiceOutputTypes as StreamsOutputTypes,
} from '@aws-sdk/client-dynamodb-streams';
import type { DeserializeMiddleware } from '@smithy/types';
import { SHARD_END } from 'nestjs-dynamo-es/projections';

/** The tables of one projections setup, to tell the runner's requests apart by the table they go to. */
export interface ProjectionTables {
  readonly eventsTable: string;
  readonly viewsTable: string;
  readonly leaseTable: string;
}

/** What one runner instance sent, counted from its clients' requests (each attempt once, failed ones included). */
export interface ProjectionRequestCounts {
  /** PutItem, TransactWriteItems or UpdateItem on the views table. */
  readonly viewWrites: number;
  /** GetItem on the views table (the processor reads a document before it writes it). */
  readonly viewReads: number;
  /** Query on the events table (the processor's gap fill). */
  readonly eventQueries: number;
  /** UpdateItem on the lease table that sets a checkpoint other than SHARD_END. */
  readonly checkpoints: number;
  /** UpdateItem on the lease table that only bumps the counter: the owner's heartbeat. */
  readonly renewals: number;
  /** Any other lease-table write: create, take, release, hand-off, SHARD_END. */
  readonly otherLeaseWrites: number;
  /** GetRecords calls, empty ones included. */
  readonly getRecords: number;
  /** GetRecords answers with at least one record: the batches the runner handles. */
  readonly batches: number;
  /** Records in those answers. */
  readonly records: number;
}

const ZERO: ProjectionRequestCounts = {
  viewWrites: 0,
  viewReads: 0,
  eventQueries: 0,
  checkpoints: 0,
  renewals: 0,
  otherLeaseWrites: 0,
  getRecords: 0,
  batches: 0,
  records: 0,
};

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;
type AttributeValues = Record<string, { S?: string } | undefined>;

const VIEW_WRITES = new Set(['PutItemCommand', 'TransactWriteItemsCommand', 'UpdateItemCommand']);

/**
 * Counts, from outside, what a projections runner sends: its DynamoDB client's requests by table and kind, its
 * Streams client's GetRecords and what they returned. Also times each GetRecords that returned records and the
 * apply that followed it (from that answer to the checkpoint's send: decoding, the view's read and write).
 *
 * Attach it to the clients an application context was given, and to nothing else: the views' DocumentClient shares
 * its DynamoDB client's middleware stack, so its requests are seen here too, under the raw command names.
 */
export class ProjectionRequestTally {
  private counts: { -readonly [K in keyof ProjectionRequestCounts]: number } = { ...ZERO };
  /** Round trips of the GetRecords calls that returned records, ms. */
  readonly getRecordsMs: number[] = [];
  /** From a batch's GetRecords answer to its checkpoint's send, ms. */
  readonly applyMs: number[] = [];
  private batchReceivedAt: number | undefined;

  constructor(private readonly tables: ProjectionTables) {}

  /** A copy of the counts so far. */
  snapshot(): ProjectionRequestCounts {
    return { ...this.counts };
  }

  attachToDynamoDB(client: DynamoDBClient): void {
    const count: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
      (next, context) => async (args) => {
        this.recordDynamoDB(context.commandName ?? 'unknown', args.input as Input);
        return next(args);
      };
    client.middlewareStack.addRelativeTo(count, {
      relation: 'before',
      toMiddleware: 'deserializerMiddleware',
      name: 'projectionRequestTally',
    });
  }

  attachToStreams(client: DynamoDBStreamsClient): void {
    const count: DeserializeMiddleware<StreamsInputTypes, StreamsOutputTypes> =
      (next, context) => async (args) => {
        if (context.commandName !== 'GetRecordsCommand') return next(args);
        const sentAt = performance.now();
        this.counts.getRecords++;
        const result = await next(args);
        const records =
          ((result.output as unknown as Output).Records as unknown[] | undefined)?.length ?? 0;
        if (records > 0) {
          const receivedAt = performance.now();
          this.counts.batches++;
          this.counts.records += records;
          this.getRecordsMs.push(receivedAt - sentAt);
          this.batchReceivedAt = receivedAt;
        }
        return result;
      };
    client.middlewareStack.addRelativeTo(count, {
      relation: 'before',
      toMiddleware: 'deserializerMiddleware',
      name: 'projectionRequestTally',
    });
  }

  private recordDynamoDB(command: string, input: Input): void {
    const table = tableOf(input);
    if (table === this.tables.viewsTable) {
      if (VIEW_WRITES.has(command)) this.counts.viewWrites++;
      else if (command === 'GetItemCommand') this.counts.viewReads++;
    } else if (table === this.tables.eventsTable) {
      if (command === 'QueryCommand') this.counts.eventQueries++;
    } else if (table === this.tables.leaseTable) {
      this.recordLeaseRequest(command, input);
    }
  }

  /**
   * Lease writes by what they change, read from the request (LeaseTable's placeholders): a checkpoint sets
   * `:checkpoint`; a renewal sets nothing but the counter and the time (no new owner, no hand-off, no REMOVE).
   */
  private recordLeaseRequest(command: string, input: Input): void {
    if (command === 'ScanCommand' || command === 'DescribeTableCommand') return;
    if (command !== 'UpdateItemCommand') {
      this.counts.otherLeaseWrites++;
      return;
    }
    const values = (input.ExpressionAttributeValues ?? {}) as AttributeValues;
    const expression = typeof input.UpdateExpression === 'string' ? input.UpdateExpression : '';
    const checkpoint = values[':checkpoint']?.S;
    if (checkpoint !== undefined && checkpoint !== SHARD_END) {
      this.counts.checkpoints++;
      if (this.batchReceivedAt !== undefined) {
        this.applyMs.push(performance.now() - this.batchReceivedAt);
        this.batchReceivedAt = undefined;
      }
    } else if (
      checkpoint === undefined &&
      values[':newOwner'] === undefined &&
      values[':by'] === undefined &&
      !expression.includes('REMOVE')
    ) {
      this.counts.renewals++;
    } else {
      this.counts.otherLeaseWrites++;
    }
  }
}

/** The counts from `before` to `after`, summed over runner instances. */
export function countsBetween(
  before: readonly ProjectionRequestCounts[],
  after: readonly ProjectionRequestCounts[],
): ProjectionRequestCounts {
  const total = { ...ZERO } as { -readonly [K in keyof ProjectionRequestCounts]: number };
  for (const key of Object.keys(ZERO) as (keyof ProjectionRequestCounts)[]) {
    for (let i = 0; i < after.length; i++) total[key] += after[i]![key] - (before[i]?.[key] ?? 0);
  }
  return total;
}

export function addCounts(
  a: ProjectionRequestCounts,
  b: ProjectionRequestCounts,
): ProjectionRequestCounts {
  return countsBetween([], [a, b]);
}

function tableOf(input: Input): string | undefined {
  if (typeof input.TableName === 'string') return input.TableName;
  // TransactWriteItems names its table in each action; the views' writes keep to one table.
  const first = (input.TransactItems as Record<string, { TableName?: string }>[] | undefined)?.[0];
  return first && Object.values(first)[0]?.TableName;
}
