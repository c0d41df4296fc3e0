import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { StoredEvent } from '../core/types.js';
import { isSnapshotItem, toStoredEvent } from '../dynamodb/items/event-item.js';
import { isIdempotencyItem } from '../dynamodb/items/idempotency-item.js';

/**
 * The stored events among a table's stream records, decoded by the same code the store reads with. Events are
 * inserted and never changed: anything but an INSERT, the snapshot items (inserted, then modified, at the top
 * sort key) and the commands' idempotency keys are left out; so is an item that is not an event of this store
 * (`skipped` hears of it), rather than holding its shard back for good.
 */
export function storedEventsOf(
  records: readonly StreamRecord[],
  skipped: (record: StreamRecord, reason: string) => void = () => undefined,
): StoredEvent[] {
  const events: StoredEvent[] = [];
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (
      record.eventName !== 'INSERT' ||
      !image ||
      isSnapshotItem(image) ||
      isIdempotencyItem(image)
    )
      continue;
    try {
      events.push(toStoredEvent(image));
    } catch (error) {
      skipped(record, (error as Error).message);
    }
  }
  return events;
}
