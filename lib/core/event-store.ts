import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  type TranslateConfig,
} from '@aws-sdk/lib-dynamodb';
import { Observable } from 'rxjs';
import { assertWithinAppendLimits } from './append-limits.js';
import { asConcurrencyError } from './conflicts.js';
import { EventStoreLimitError, InvalidAppendError } from './errors.js';
import {
  MAX_EVENT_VERSION,
  PARTITION_KEY,
  SORT_KEY,
  toEventItem,
  toStoredEvent,
} from './event-item.js';
import { readSnapshotAndNewerEvents } from './read-snapshot-and-newer-events.js';
import { type SnapshotItem, toSnapshotItem } from './snapshot-item.js';
import { assertValidStreamId } from './stream-id.js';
import type {
  AppendOptions,
  AppendResult,
  EventMetadata,
  NewEvent,
  ReadStreamOptions,
  SnapshotAndNewerEvents,
  StoredEvent,
} from './types.js';
import { writeItems } from './write-items.js';

export interface DynamoEventStoreConfig {
  /** A DynamoDBClient, or a DynamoDBDocumentClient built on one. The store never destroys it. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
}

const EMPTY_METADATA: EventMetadata = Object.freeze({});
const KEY_NAMES = { '#stream': PARTITION_KEY, '#version': SORT_KEY };

/** Append-only event streams in one DynamoDB table. Framework-free: the Nest layer wraps it. */
export class DynamoEventStore {
  readonly tableName: string;
  private readonly documentClient: DynamoDBDocumentClient;

  constructor({ client, tableName }: DynamoEventStoreConfig) {
    this.tableName = tableName;
    this.documentClient =
      client instanceof DynamoDBDocumentClient
        ? client
        : // DocumentClient.from() writes its translate config onto the shared client config: pass the existing one
          // through so that a document client the user built on the same client keeps its options.
          DynamoDBDocumentClient.from(
            client,
            (client.config as { translateConfig?: TranslateConfig }).translateConfig,
          );
  }

  /**
   * Appends events after `expectedVersion` (0 for a new stream) in one request, with the snapshot if one is given.
   * Every event item is conditioned on its version being free, so a writer that read an older version fails with
   * ConcurrencyError and writes nothing, its snapshot included.
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

    const recordedAt = new Date().toISOString();
    const metadata = events.map((event) =>
      event.metadata || options.metadata
        ? { ...options.metadata, ...event.metadata }
        : EMPTY_METADATA,
    );
    const items = events.map((event, index) =>
      toEventItem(streamId, expectedVersion + 1 + index, event, metadata[index]!, recordedAt),
    );
    assertWithinAppendLimits(streamId, items);
    const { snapshot, snapshotSkipped } = this.snapshotItemWithin(
      streamId,
      version,
      items,
      options,
      recordedAt,
    );

    try {
      await writeItems(this.documentClient, this.tableName, items, snapshot);
    } catch (error) {
      throw asConcurrencyError(error, streamId, expectedVersion) ?? error;
    }
    return {
      streamId,
      version,
      events: items.map((item, index) => ({
        version: item.version,
        type: item.type,
        schemaVersion: item.schemaVersion,
        metadata: metadata[index]!,
        eventId: item.eventId,
        recordedAt: new Date(recordedAt),
      })),
      snapshotWritten: snapshot !== undefined,
      snapshotSkipped,
    };
  }

  /**
   * The stream's events in version order, strongly consistent, one Query page (≤ 1 MB) at a time: the next page is
   * requested only after the previous one was emitted, and unsubscribing aborts the request in flight.
   */
  readStream(streamId: string, options: ReadStreamOptions = {}): Observable<StoredEvent> {
    const { fromVersion = 1, toVersion = MAX_EVENT_VERSION } = options;
    return new Observable<StoredEvent>((subscriber) => {
      const abort = new AbortController();
      const input: QueryCommandInput = {
        TableName: this.tableName,
        KeyConditionExpression: '#stream = :stream AND #version BETWEEN :from AND :to',
        ExpressionAttributeNames: KEY_NAMES,
        ExpressionAttributeValues: {
          ':stream': streamId,
          ':from': fromVersion,
          ':to': Math.min(toVersion, MAX_EVENT_VERSION),
        },
        ConsistentRead: true,
      };
      const pages = paginateQuery({ client: this.documentClient }, input, {
        abortSignal: abort.signal,
      });
      void (async () => {
        try {
          for await (const page of pages) {
            for (const item of page.Items ?? []) {
              subscriber.next(toStoredEvent(item));
              if (subscriber.closed) return;
            }
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
   * The latest snapshot and the events after it, in one strongly consistent Query when the snapshot is within the
   * newest `limit` items of the stream (a snapshot every N events: limit N). Without a snapshot, the whole stream.
   */
  readSnapshotAndNewerEvents(streamId: string, limit: number): Promise<SnapshotAndNewerEvents> {
    return readSnapshotAndNewerEvents(this.documentClient, this.tableName, streamId, limit);
  }

  /** The version of the stream's last event; 0 when the stream does not exist. */
  async readStreamVersion(streamId: string): Promise<number> {
    const { Items } = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#stream = :stream AND #version <= :last',
        ExpressionAttributeNames: KEY_NAMES,
        ExpressionAttributeValues: { ':stream': streamId, ':last': MAX_EVENT_VERSION },
        ProjectionExpression: '#version',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const last = Items?.[0];
    return last ? Number(last[SORT_KEY]) : 0;
  }

  /** The snapshot item to write, unless it cannot be stored or would take the save over a DynamoDB limit. */
  private snapshotItemWithin(
    streamId: string,
    version: number,
    events: readonly Record<string, unknown>[],
    { snapshot }: AppendOptions,
    recordedAt: string,
  ): { snapshot?: SnapshotItem; snapshotSkipped?: Error } {
    if (!snapshot) return {};
    try {
      const item = toSnapshotItem(streamId, version, snapshot, recordedAt);
      assertWithinAppendLimits(streamId, [...events, item]);
      return { snapshot: item };
    } catch (error) {
      if (
        error instanceof EventStoreLimitError ||
        (error as Error).name === 'EventSerializationError'
      ) {
        return { snapshotSkipped: error as Error };
      }
      throw error;
    }
  }
}
