import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventData, SnapshotAndNewerEvents, StoredSnapshot } from '../../core/types.js';
import { EVENT_DATA_ATTRIBUTES, isSnapshotItem, toEventData } from '../items/event-item.js';
import {
  SNAPSHOT_ATTRIBUTES,
  snapshotVersionOf,
  toStoredSnapshot,
} from '../items/snapshot-item.js';
import { EVENT_TABLE_ATTRIBUTES as A, type WireItem } from '../table-layout.js';
import { sendQuery, streamQueries } from './query.js';

const ATTRIBUTES = [...new Set([...EVENT_DATA_ATTRIBUTES, ...SNAPSHOT_ATTRIBUTES])];

/**
 * Reads the partition newest first: the snapshot (at the highest sort key), then events down to the one after it.
 * The first page holds the snapshot and `expectedNewerEvents` events, enough for those a snapshot policy lets pile
 * up after it, so a load is one Query that reads little more than it needs. Should the snapshot lie deeper, or the
 * stream have none, the read goes on in full pages.
 */
export async function readSnapshotAndNewerEvents(
  client: DynamoDBClient,
  tableName: string,
  streamId: string,
  expectedNewerEvents: number,
): Promise<SnapshotAndNewerEvents> {
  const input = streamQueries.newestFirst(tableName, streamId, ATTRIBUTES);
  let snapshot: StoredSnapshot | undefined;
  let unreadableSnapshot: Error | undefined;
  let snapshotVersion = 0;
  const newestFirst: EventData[] = [];

  /** Takes a page's items; true once the events reach the snapshot. */
  const take = (items: WireItem[]): boolean => {
    for (const item of items) {
      if (isSnapshotItem(item)) {
        snapshotVersion = snapshotVersionOf(item);
        try {
          snapshot = toStoredSnapshot(item);
        } catch (error) {
          unreadableSnapshot = error as Error;
        }
        continue;
      }
      if (Number(item[A.version]?.N) <= snapshotVersion) return true;
      newestFirst.push(toEventData(item));
    }
    return snapshotVersion > 0 && newestFirst.at(-1)?.version === snapshotVersion + 1;
  };

  let page = await sendQuery(client, { ...input, Limit: expectedNewerEvents + 1 });
  while (!take(page.Items ?? []) && page.LastEvaluatedKey) {
    page = await sendQuery(client, { ...input, ExclusiveStartKey: page.LastEvaluatedKey });
  }
  return { snapshot, unreadableSnapshot, events: newestFirst.reverse() };
}
