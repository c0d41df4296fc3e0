import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { Observable } from 'rxjs';
import { assertWithinAppendLimits, type RequestSize } from './append-limits.js';
import { EventSerializationError, EventStoreLimitError, InvalidAppendError } from './errors.js';
import {
  EVENT_DATA_ATTRIBUTES,
  MAX_EVENT_VERSION,
  PARTITION_KEY,
  SORT_KEY,
  toEventData,
  toEventItem,
  toStoredEvent,
  type WireItem,
} from './event-item.js';
import { projectionOf, queryPages, sendQuery } from './query-pages.js';
import { readSnapshotAndNewerEvents } from './read-snapshot-and-newer-events.js';
import { toSnapshotItem } from './snapshot-item.js';
import { assertValidStreamId } from './stream-id.js';
import type {
  AppendedEvent,
  AppendOptions,
  AppendResult,
  EventData,
  EventMetadata,
  NewEvent,
  ReadStreamOptions,
  SnapshotAndNewerEvents,
  StoredEvent,
} from './types.js';
import { resolveFailedWrite } from './resolve-failed-write.js';
import { WriteAttempts } from './write-attempts.js';
import { writeItems } from './write-items.js';

export interface DynamoEventStoreConfig {
  /** The client to send requests with. The store neither changes nor destroys it. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * How many times a transaction cancelled by another one touching the same items (TransactionConflict) is tried
   * again before it becomes a ConcurrencyError. Default 3.
   */
  readonly transactionConflictRetries?: number;
}

const EMPTY_METADATA: EventMetadata = Object.freeze({});
const KEY_NAMES = { '#stream': PARTITION_KEY, '#version': SORT_KEY };
const EVENT_DATA_PROJECTION = projectionOf(EVENT_DATA_ATTRIBUTES);

/** Append-only event streams in one DynamoDB table. Framework-free: the Nest layer wraps it. */
export class DynamoEventStore {
  readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly transactionConflictRetries: number;

  constructor({ client, tableName, transactionConflictRetries = 3 }: DynamoEventStoreConfig) {
    this.client = client;
    this.tableName = tableName;
    this.transactionConflictRetries = transactionConflictRetries;
  }

  /**
   * Appends events after `expectedVersion` (0 for a new stream) in one request, with the snapshot if one is given.
   * Every event item is conditioned on its version being free, so a writer that read an older version fails with
   * ConcurrencyError and writes nothing, its snapshot included. An attempt whose answer was lost is found out, not
   * guessed: a retry that meets the save's own event ids means the save was written. Appending the same events
   * again (same ids) after EventStoreWriteError with outcome `unknown` writes them exactly once.
   */
  async appendToStream(
    streamId: string,
    expectedVersion: number,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    assertValidStreamId(streamId);
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw new InvalidAppendError(
        streamId,
        `expected version ${expectedVersion} is not a non-negative integer`,
      );
    }
    if (events.length === 0) throw new InvalidAppendError(streamId, 'there are no events');
    const version = expectedVersion + events.length;
    if (version > MAX_EVENT_VERSION) {
      throw new InvalidAppendError(streamId, `version ${version} is beyond ${MAX_EVENT_VERSION}`);
    }

    const now = new Date();
    const appended: AppendedEvent[] = events.map((event, index) => ({
      version: expectedVersion + 1 + index,
      type: event.type,
      schemaVersion: event.schemaVersion ?? 1,
      metadata:
        event.metadata || options.metadata
          ? { ...options.metadata, ...event.metadata }
          : EMPTY_METADATA,
      eventId: event.eventId ?? randomUUID(),
      recordedAt: new Date(event.recordedAt ?? now),
    }));
    const items = events.map((event, index) => {
      const { version, metadata, eventId, recordedAt } = appended[index]!;
      return toEventItem(streamId, version, event, metadata, eventId, recordedAt.toISOString());
    });
    const eventsSize = assertWithinAppendLimits(streamId, items);
    // Stamped like the first event, so that saving the same events again sends the very same request.
    const { snapshot, snapshotSkipped } = this.snapshotItemWithin(
      streamId,
      version,
      eventsSize,
      options,
      appended[0]!.recordedAt.toISOString(),
    );

    const attempts = new WriteAttempts();
    try {
      await writeItems(this.client, this.tableName, items, snapshot, {
        transactionConflictRetries: this.transactionConflictRetries,
        attempts,
      });
    } catch (error) {
      const outcome = await resolveFailedWrite(error, {
        client: this.client,
        tableName: this.tableName,
        streamId,
        expectedVersion,
        eventIds: appended.map((event) => event.eventId),
        attempts,
      });
      if (outcome !== 'written') throw outcome;
    }
    return {
      streamId,
      version,
      events: appended,
      snapshotWritten: snapshot !== undefined,
      snapshotSkipped,
    };
  }

  /**
   * The stream's events in version order, strongly consistent, one Query page (≤ 1 MB) at a time: the next page is
   * requested only after the previous one was emitted, and unsubscribing aborts the request in flight.
   */
  readStream(streamId: string, options: ReadStreamOptions = {}): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      const abort = new AbortController();
      const pages = queryPages(this.client, this.streamQuery(streamId, options), abort.signal);
      void (async () => {
        try {
          for await (const items of pages) {
            for (const item of items) {
              subscriber.next(toStoredEvent(item));
              if (subscriber.closed) return;
            }
            items.length = 0;
          }
          subscriber.complete();
        } catch (error) {
          subscriber.error(error);
        }
      })();
      return () => abort.abort();
    });
  }

  /**
   * The data of the stream's events (version, type, schema version, payload), page by page, for rebuilding state:
   * the Query asks for those attributes only, and nothing else is decoded.
   */
  async *readEventData(
    streamId: string,
    options: ReadStreamOptions = {},
  ): AsyncGenerator<readonly EventData[]> {
    const query = this.streamQuery(streamId, options);
    const input = {
      ...query,
      ProjectionExpression: EVENT_DATA_PROJECTION.ProjectionExpression,
      ExpressionAttributeNames: {
        ...query.ExpressionAttributeNames,
        ...EVENT_DATA_PROJECTION.ExpressionAttributeNames,
      },
    };
    for await (const items of queryPages(this.client, input)) {
      const page = items.map(toEventData);
      items.length = 0;
      yield page;
    }
  }

  /**
   * The latest snapshot and the events after it, in one strongly consistent Query when the snapshot is within the
   * newest `limit` items of the stream (a snapshot every N events: limit N). Without a snapshot, the whole stream.
   */
  readSnapshotAndNewerEvents(streamId: string, limit: number): Promise<SnapshotAndNewerEvents> {
    return readSnapshotAndNewerEvents(this.client, this.tableName, streamId, limit);
  }

  /** The version of the stream's last event; 0 when the stream does not exist. */
  async readStreamVersion(streamId: string): Promise<number> {
    const { Items } = await sendQuery(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#stream = :stream AND #version <= :last',
      ExpressionAttributeNames: KEY_NAMES,
      ExpressionAttributeValues: {
        ':stream': { S: streamId },
        ':last': { N: String(MAX_EVENT_VERSION) },
      },
      ProjectionExpression: '#version',
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    });
    const last = Items?.[0];
    return last ? Number(last[SORT_KEY]?.N) : 0;
  }

  private streamQuery(
    streamId: string,
    { fromVersion = 1, toVersion = MAX_EVENT_VERSION }: ReadStreamOptions,
  ): QueryCommandInput {
    return {
      TableName: this.tableName,
      KeyConditionExpression: '#stream = :stream AND #version BETWEEN :from AND :to',
      ExpressionAttributeNames: { ...KEY_NAMES },
      ExpressionAttributeValues: {
        ':stream': { S: streamId },
        ':from': { N: String(fromVersion) },
        ':to': { N: String(Math.min(toVersion, MAX_EVENT_VERSION)) },
      },
      ConsistentRead: true,
    };
  }

  /** The snapshot item to write, unless it cannot be stored or would take the save over a DynamoDB limit. */
  private snapshotItemWithin(
    streamId: string,
    version: number,
    eventsSize: RequestSize,
    { snapshot }: AppendOptions,
    recordedAt: string,
  ): { snapshot?: WireItem; snapshotSkipped?: Error } {
    if (!snapshot) return {};
    try {
      const item = toSnapshotItem(streamId, version, snapshot, recordedAt);
      assertWithinAppendLimits(streamId, [item], eventsSize);
      return { snapshot: item };
    } catch (error) {
      if (error instanceof EventStoreLimitError || error instanceof EventSerializationError) {
        return { snapshotSkipped: error };
      }
      throw error;
    }
  }
}
