import { type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import {
  EVENT_DATA_ATTRIBUTES,
  isSnapshotItem,
  PARTITION_KEY,
  SORT_KEY,
  toEventData,
  type WireItem,
} from './event-item.js';
import { projectionOf, sendQuery } from './query-pages.js';
import { SNAPSHOT_ATTRIBUTES, toStoredSnapshot } from './snapshot-item.js';
import type { EventData, SnapshotAndNewerEvents, StoredSnapshot } from './types.js';

/**
 * Reads the partition newest first: the snapshot (at the highest sort key), then events down to the one after it.
 * The first page holds `limit` items, enough for the snapshot and the events a snapshot policy lets pile up after
 * it, so a load is one Query that reads little more than it needs. Should the snapshot lie deeper, or the stream
 * have none, the read goes on in full pages.
 */
export async function readSnapshotAndNewerEvents(
  client: DynamoDBClient,
  tableName: string,
  streamId: string,
  limit: number,
): Promise<SnapshotAndNewerEvents> {
  const projection = projectionOf([...new Set([...EVENT_DATA_ATTRIBUTES, ...SNAPSHOT_ATTRIBUTES])]);
  const input: QueryCommandInput = {
    TableName: tableName,
    KeyConditionExpression: '#stream = :stream',
    ...projection,
    ExpressionAttributeNames: { ...projection.ExpressionAttributeNames, '#stream': PARTITION_KEY },
    ExpressionAttributeValues: { ':stream': { S: streamId } },
    ScanIndexForward: false,
    ConsistentRead: true,
  };
  let snapshot: StoredSnapshot | undefined;
  let unreadableSnapshot: Error | undefined;
  let snapshotVersion = 0;
  const newestFirst: EventData[] = [];

  /** Takes a page's items; true once the events reach the snapshot. */
  const take = (items: WireItem[]): boolean => {
    for (const item of items) {
      if (isSnapshotItem(item)) {
        snapshotVersion = Number(item.snapshotVersion?.N);
        try {
          snapshot = toStoredSnapshot(item);
        } catch (error) {
          unreadableSnapshot = error as Error;
        }
        continue;
      }
      if (Number(item[SORT_KEY]?.N) <= snapshotVersion) return true;
      newestFirst.push(toEventData(item));
    }
    return snapshotVersion > 0 && newestFirst.at(-1)?.version === snapshotVersion + 1;
  };

  // Only the first page is sized by the policy; should the snapshot lie deeper, the rest is read in full pages.
  let page = await sendQuery(client, { ...input, Limit: limit });
  while (!take(page.Items ?? []) && page.LastEvaluatedKey) {
    page = await sendQuery(client, { ...input, ExclusiveStartKey: page.LastEvaluatedKey });
  }
  return { snapshot, unreadableSnapshot, events: newestFirst.reverse() };
}
