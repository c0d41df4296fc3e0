import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Observable } from '../core/observable.js';
import { type PreparedMultiAppend, prepareAppend, prepareAppends } from '../core/append-request.js';
import type { EventStore } from '../core/event-store.js';
import { checkedSegment, expectedNewerEventsOf, versionRangeOf } from '../core/read-options.js';
import { assertValidStreamId } from '../core/stream-id.js';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  MultiStreamAppendOptions,
  NewEvent,
  ReadSnapshotOptions,
  ReadStreamOptions,
  SnapshotAndNewerEvents,
  StoredEvent,
  StoredIdempotencyKey,
  StreamAppend,
  StreamIdsPage,
  StreamSegment,
} from '../core/types.js';
import { appendResultsOf } from './items/append-results.js';
import { encodeAppends } from './items/encode-append.js';
import { hasExpired, toStoredIdempotencyKey } from './items/idempotency-item.js';
import {
  EVENT_DATA_ATTRIBUTES,
  type ItemEncoding,
  STORED_EVENT_ATTRIBUTES,
  toEventData,
  toStoredEvent,
} from './items/event-item.js';
import { type PayloadCompression, resolveCompression } from './items/json-attribute.js';
import { listStreams } from './reads/list-streams.js';
import { queryPages, sendQuery, streamQueries } from './reads/query.js';
import { NO_TRACING, type Tracing } from '../telemetry/tracing.js';
import { requestCountingClient } from './request-counting-client.js';
import { asTypedSdkError } from './sdk-errors.js';
import { readIdempotencyItem } from './reads/read-idempotency-item.js';
import { readSnapshotAndNewerEvents } from './reads/read-snapshot-and-newer-events.js';
import { EVENT_TABLE_ATTRIBUTES as A } from './table-layout.js';
import { resolveFailedWrite } from './writes/resolve-failed-write.js';
import { WriteAttempts } from './writes/write-attempts.js';
import { writeItems } from './writes/write-items.js';
import { planWrite } from './writes/write-plan.js';

/**
 * The events one page of readStream holds at most. A full 1 MB page is some 4,000 events, all alive while it is
 * emitted: long enough for V8 to move them to the old generation, where they wait for a full collection. Streaming
 * 100,000 events in pages of 1,000 took the heap's peak from 65 to 33 MB (npm run bench, section 4), for 4 times the
 * requests (each about 0.2 ms of CPU) and at most one more read unit per page.
 */
const HISTORY_PAGE_EVENTS = 1000;

export interface DynamoEventStoreConfig {
  /** The client to send requests with. The store neither changes nor destroys it. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * How many times a transaction cancelled by another one touching the same items (TransactionConflict) is tried
   * again before it becomes a ConcurrencyError. Default 3.
   */
  readonly transactionConflictRetries?: number;
  /**
   * Write every append as a TransactWriteItems, a single event included (2 WCU per KB instead of 1), so that the
   * table's policy can allow writes only inside transactions (dynamodb:EnclosingOperation). Default false.
   */
  readonly transactionsOnly?: boolean;
  /**
   * Where the requests of an operation traced by the library (a load, a save) are counted, with the capacity
   * DynamoDB says they consumed (loadTracing() gives OpenTelemetry's). Default NO_TRACING.
   */
  readonly tracing?: Tracing;
  /**
   * Payloads and snapshot states whose JSON is over `thresholdBytes` (default 1024) are stored compressed, in a
   * binary attribute: fewer capacity units, and larger events fit in DynamoDB's 400 KB. Every reader of this
   * package decodes them. `false`: never compress. Default on.
   */
  readonly compression?: PayloadCompression | false;
}

/** The EventStore on one DynamoDB table: one item per event, a stream per partition. Framework-free. */
export class DynamoEventStore implements EventStore {
  readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly transactionConflictRetries: number;
  private readonly transactionsOnly: boolean;
  private readonly encoding: ItemEncoding;

  constructor({
    client,
    tableName,
    transactionConflictRetries = 3,
    transactionsOnly = false,
    tracing = NO_TRACING,
    compression,
  }: DynamoEventStoreConfig) {
    this.encoding = { compression: resolveCompression(compression) };
    this.client = tracing === NO_TRACING ? client : requestCountingClient(client, tracing);
    this.tableName = tableName;
    this.transactionConflictRetries = transactionConflictRetries;
    this.transactionsOnly = transactionsOnly;
  }

  /**
   * One request: a conditional PutItem for a lone event, a TransactWriteItems for anything more (several events,
   * or events and a snapshot). An attempt whose answer was lost is found out, not guessed: a retry that meets the
   * append's own event ids means it was written.
   */
  async appendToStream(
    streamId: string,
    expectedVersion: number,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const append = prepareAppend(streamId, expectedVersion, events, options);
    const [result] = await this.write({ appends: [append], retry: append.retry });
    return result!;
  }

  /**
   * One TransactWriteItems for every stream's events and snapshots and the idempotency key (a conditional PutItem
   * when that is a single item), resolved like appendToStream when its answer is lost.
   */
  async appendToStreams(
    appends: readonly StreamAppend[],
    options: MultiStreamAppendOptions = {},
  ): Promise<AppendResult[]> {
    return this.write(prepareAppends(appends, options));
  }

  async readIdempotencyKey(key: string): Promise<StoredIdempotencyKey | undefined> {
    const item = await readIdempotencyItem(this.client, this.tableName, key);
    return item && !hasExpired(item, new Date()) ? toStoredIdempotencyKey(item) : undefined;
  }

  private async write(prepared: PreparedMultiAppend): Promise<AppendResult[]> {
    const encoded = encodeAppends(prepared, this.encoding);
    const planned = planWrite(prepared, encoded);
    const attempts = new WriteAttempts();
    try {
      await writeItems(this.client, this.tableName, planned, {
        transactionConflictRetries: this.transactionConflictRetries,
        transactionsOnly: this.transactionsOnly,
        attempts,
      });
    } catch (error) {
      const outcome = await resolveFailedWrite(error, {
        client: this.client,
        tableName: this.tableName,
        planned,
        attempts,
        retry: prepared.retry,
      });
      if (outcome !== 'written') throw outcome;
    }
    return appendResultsOf(prepared, encoded);
  }

  /**
   * One Query page (≤ HISTORY_PAGE_EVENTS events, ≤ 1 MB) at a time: the next page is requested only after the
   * previous one was emitted, and none once the subscriber has left. A page in flight when it leaves is read to its
   * end and dropped, not aborted: a request sent with an abort signal makes a client with `cacheMiddleware` (the
   * module's) drop every handler stack it cached.
   */
  readStream(streamId: string, options: ReadStreamOptions = {}): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      void (async () => {
        try {
          const range = versionRangeOf(streamId, options);
          const query = {
            ...streamQueries.range(this.tableName, streamId, range, STORED_EVENT_ATTRIBUTES),
            Limit: HISTORY_PAGE_EVENTS,
          };
          for await (const items of queryPages(this.client, query)) {
            for (const item of items) {
              if (subscriber.closed) return;
              subscriber.next(toStoredEvent(item, streamId));
            }
            if (subscriber.closed) return;
            items.length = 0;
          }
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      })();
    });
  }

  /** Page by page; the Query asks for the four attributes only. */
  async *readEventData(
    streamId: string,
    options: ReadStreamOptions = {},
  ): AsyncGenerator<readonly EventData[]> {
    const query = streamQueries.range(
      this.tableName,
      streamId,
      versionRangeOf(streamId, options),
      EVENT_DATA_ATTRIBUTES,
    );
    for await (const items of queryPages(this.client, query)) {
      const page = items.map(toEventData);
      items.length = 0;
      yield page;
    }
  }

  /**
   * One newest-first Query whose first page holds the snapshot and the expected newer events; more pages only if
   * the snapshot lies deeper.
   */
  async readSnapshotAndNewerEvents(
    streamId: string,
    options: ReadSnapshotOptions = {},
  ): Promise<SnapshotAndNewerEvents> {
    const expectedNewerEvents = expectedNewerEventsOf(streamId, options);
    return readSnapshotAndNewerEvents(this.client, this.tableName, streamId, expectedNewerEvents);
  }

  /** A parallel Scan segment, asking for each stream's first version only. */
  listStreams(segment: StreamSegment): AsyncIterable<StreamIdsPage> {
    return listStreams(this.client, this.tableName, checkedSegment(segment));
  }

  /** DescribeTable's ItemCount: DynamoDB updates it about every six hours, and it counts snapshot items too. */
  async estimateEventCount(): Promise<number | undefined> {
    try {
      const { Table } = await this.client.send(
        new DescribeTableCommand({ TableName: this.tableName }),
      );
      return Table?.ItemCount;
    } catch (error) {
      throw asTypedSdkError(error, this.tableName);
    }
  }

  async readStreamVersion(streamId: string): Promise<number> {
    assertValidStreamId(streamId);
    const { Items } = await sendQuery(
      this.client,
      streamQueries.lastVersion(this.tableName, streamId),
    );
    const last = Items?.[0];
    return last ? Number(last[A.version]?.N) : 0;
  }
}
