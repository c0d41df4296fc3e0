import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { StoredEvent } from '../core/types.js';
import { isSnapshotItem, toStoredEvent } from '../dynamodb/items/event-item.js';

/**
 * The stored events among a table's stream records, decoded by the same code the store reads with. Events are
 * inserted and never changed: anything but an INSERT, and the snapshot items (inserted, then modified, at the top
 * sort key), are left out.
 */
export function storedEventsOf(records: readonly StreamRecord[]): StoredEvent[] {
  const events: StoredEvent[] = [];
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image || isSnapshotItem(image)) continue;
    events.push(toStoredEvent(image));
  }
  return events;
}
