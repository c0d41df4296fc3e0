import {
  type DynamoDBDocumentClient,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { isSnapshotItem, PARTITION_KEY, SORT_KEY, toStoredEvent } from './event-item.js';
import { toStoredSnapshot } from './snapshot-item.js';
import type { SnapshotAndNewerEvents, StoredEvent, StoredSnapshot } from './types.js';

/**
 * Reads the partition newest first: the snapshot (at the highest sort key), then events down to the one after it.
 * The first page holds `limit` items, enough for the snapshot and the events a snapshot policy lets pile up after
 * it, so a load is one Query that reads little more than it needs. Should the snapshot lie deeper, or the stream
 * have none, the read goes on in full pages.
 */
export async function readSnapshotAndNewerEvents(
  client: DynamoDBDocumentClient,
  tableName: string,
  streamId: string,
  limit: number,
): Promise<SnapshotAndNewerEvents> {
  const input: QueryCommandInput = {
    TableName: tableName,
    KeyConditionExpression: '#stream = :stream',
    ExpressionAttributeNames: { '#stream': PARTITION_KEY },
    ExpressionAttributeValues: { ':stream': streamId },
    ScanIndexForward: false,
    ConsistentRead: true,
  };
  let snapshot: StoredSnapshot | undefined;
  let unreadableSnapshot: Error | undefined;
  let snapshotVersion = 0;
  const newestFirst: StoredEvent[] = [];

  /** Takes a page's items; true once the events reach the snapshot. */
  const take = (items: Record<string, unknown>[]): boolean => {
    for (const item of items) {
      if (isSnapshotItem(item)) {
        snapshotVersion = Number(item.snapshotVersion);
        try {
          snapshot = toStoredSnapshot(item);
        } catch (error) {
          unreadableSnapshot = error as Error;
        }
        continue;
      }
      if (Number(item[SORT_KEY]) <= snapshotVersion) return true;
      newestFirst.push(toStoredEvent(item));
    }
    return snapshotVersion > 0 && newestFirst.at(-1)?.version === snapshotVersion + 1;
  };

  const first = await client.send(new QueryCommand({ ...input, Limit: limit }));
  let done = take(first.Items ?? []);
  if (!done && first.LastEvaluatedKey) {
    const rest = paginateQuery({ client, startingToken: first.LastEvaluatedKey }, input);
    for await (const page of rest) {
      done = take(page.Items ?? []);
      if (done) break;
    }
  }
  return { snapshot, unreadableSnapshot, events: newestFirst.reverse() };
}
