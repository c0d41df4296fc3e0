import { EventStoreLimitError } from './errors.js';
import type { WireItem } from './event-item.js';
import { itemSize } from './item-size.js';

/** DynamoDB's limits on one TransactWriteItems request and on one item (KB and MB are binary, as DynamoDB counts). */
export const MAX_ITEMS_PER_SAVE = 100;
export const MAX_BYTES_PER_SAVE = 4 * 1024 * 1024;
export const MAX_BYTES_PER_ITEM = 400 * 1024;

/** How much of one request is taken: items and their bytes, by DynamoDB's count. */
export interface RequestSize {
  readonly items: number;
  readonly bytes: number;
}

const EMPTY: RequestSize = { items: 0, bytes: 0 };

/**
 * Throws before any request when the items of one save cannot be written in one DynamoDB request; returns what they
 * take. `counted` is what the same request already holds, so that an item added to it is checked without measuring
 * the others again.
 */
export function assertWithinAppendLimits(
  streamId: string,
  items: readonly WireItem[],
  counted: RequestSize = EMPTY,
): RequestSize {
  const count = counted.items + items.length;
  if (count > MAX_ITEMS_PER_SAVE) {
    throw new EventStoreLimitError(streamId, 'events per save', MAX_ITEMS_PER_SAVE, count);
  }
  let bytes = counted.bytes;
  for (const item of items) {
    const size = itemSize(item);
    if (size > MAX_BYTES_PER_ITEM) {
      throw new EventStoreLimitError(streamId, 'bytes per event', MAX_BYTES_PER_ITEM, size);
    }
    bytes += size;
  }
  if (bytes > MAX_BYTES_PER_SAVE) {
    throw new EventStoreLimitError(streamId, 'bytes per save', MAX_BYTES_PER_SAVE, bytes);
  }
  return { items: count, bytes };
}
