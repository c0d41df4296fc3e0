import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  paginateQuery,
  type QueryCommandInput,
  type TranslateConfig,
} from '@aws-sdk/lib-dynamodb';
import { Observable } from 'rxjs';
import { assertWithinAppendLimits } from './append-limits.js';
import { asConcurrencyError } from './conflicts.js';
import { InvalidAppendError } from './errors.js';
import {
  PARTITION_KEY,
  SORT_KEY,
  toEventItem,
  toStoredEvent,
  type EventItem,
} from './event-item.js';
import { assertValidStreamId } from './stream-id.js';
import type {
  AppendOptions,
  AppendResult,
  NewEvent,
  ReadStreamOptions,
  StoredEvent,
} from './types.js';

export interface DynamoEventStoreConfig {
  /** A DynamoDBClient, or a DynamoDBDocumentClient built on one. The store never destroys it. */
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
}

const EMPTY_METADATA = Object.freeze({});
const KEY_NAMES = { '#stream': PARTITION_KEY, '#version': SORT_KEY };
const VERSION_IS_FREE = 'attribute_not_exists(#version)';

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
   * Appends events after `expectedVersion` (0 for a new stream) in one request: a conditional PutItem for one
   * event, one TransactWriteItems for several. Every item is conditioned on its version being free, so a writer
   * that read an older version fails with ConcurrencyError and writes nothing.
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

    try {
      await this.write(items);
    } catch (error) {
      throw asConcurrencyError(error, streamId, expectedVersion) ?? error;
    }
    return {
      streamId,
      version: expectedVersion + items.length,
      events: items.map((item, index) => ({
        version: item.version,
        type: item.type,
        metadata: metadata[index]!,
        eventId: item.eventId,
        recordedAt: new Date(recordedAt),
      })),
    };
  }

  /**
   * The stream's events in version order, strongly consistent, one Query page (≤ 1 MB) at a time: the next page is
   * requested only after the previous one was emitted, and unsubscribing aborts the request in flight.
   */
  readStream(streamId: string, options: ReadStreamOptions = {}): Observable<StoredEvent> {
    const { fromVersion = 1, toVersion = Number.MAX_SAFE_INTEGER } = options;
    return new Observable<StoredEvent>((subscriber) => {
      const abort = new AbortController();
      const input: QueryCommandInput = {
        TableName: this.tableName,
        KeyConditionExpression: '#stream = :stream AND #version BETWEEN :from AND :to',
        ExpressionAttributeNames: KEY_NAMES,
        ExpressionAttributeValues: { ':stream': streamId, ':from': fromVersion, ':to': toVersion },
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

  /** The version of the stream's last event; 0 when the stream does not exist. */
  async readStreamVersion(streamId: string): Promise<number> {
    const { Items } = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#stream = :stream',
        ExpressionAttributeNames: KEY_NAMES,
        ExpressionAttributeValues: { ':stream': streamId },
        ProjectionExpression: '#version',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const last = Items?.[0];
    return last ? Number(last[SORT_KEY]) : 0;
  }

  private async write(items: readonly EventItem[]): Promise<void> {
    const put = (item: EventItem) => ({
      TableName: this.tableName,
      Item: item,
      ConditionExpression: VERSION_IS_FREE,
      ExpressionAttributeNames: { '#version': SORT_KEY },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    });
    if (items.length === 1) {
      await this.documentClient.send(new PutCommand(put(items[0]!)));
    } else {
      await this.documentClient.send(
        new TransactWriteCommand({ TransactItems: items.map((item) => ({ Put: put(item) })) }),
      );
    }
  }
}
