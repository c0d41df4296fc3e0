import { EventStoreLimitError } from './errors.js';
import type { WireItem } from './event-item.js';
import { itemSize } from './item-size.js';

/** DynamoDB's limits on one TransactWriteItems request and on one item (KB and MB are binary, as DynamoDB counts). */
export const MAX_ITEMS_PER_SAVE = 100;
export const MAX_BYTES_PER_SAVE = 4 * 1024 * 1024;
export const MAX_BYTES_PER_ITEM = 400 * 1024;

/** Throws before any request when the items of one save cannot be written in one DynamoDB request. */
export function assertWithinAppendLimits(streamId: string, items: readonly WireItem[]): void {
  if (items.length > MAX_ITEMS_PER_SAVE) {
    throw new EventStoreLimitError(streamId, 'events per save', MAX_ITEMS_PER_SAVE, items.length);
  }
  let total = 0;
  for (const item of items) {
    const size = itemSize(item);
    if (size > MAX_BYTES_PER_ITEM) {
      throw new EventStoreLimitError(streamId, 'bytes per event', MAX_BYTES_PER_ITEM, size);
    }
    total += size;
  }
  if (total > MAX_BYTES_PER_SAVE) {
    throw new EventStoreLimitError(streamId, 'bytes per save', MAX_BYTES_PER_SAVE, total);
  }
}
