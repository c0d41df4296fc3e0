import { EventStoreLimitError } from '../../core/errors.js';
import { MAX_BYTES_PER_ITEM, MAX_BYTES_PER_SAVE, MAX_ITEMS_PER_SAVE } from '../../core/limits.js';
import type { AppendLimit, SkippedSnapshot } from '../../core/types.js';
import type { WireItem } from '../table-layout.js';
import { itemSize } from './item-size.js';

/** How much of one request the events of an append take: items and their bytes, by DynamoDB's count. */
export interface RequestSize {
  readonly items: number;
  readonly bytes: number;
}

interface Excess {
  readonly limit: AppendLimit;
  readonly maximum: number;
  readonly found: number;
}

/** Throws EventStoreLimitError when the event items of one append cannot be written in one request. */
export function measureEventItems(streamId: string, items: readonly WireItem[]): RequestSize {
  const measured = measure(items, { items: 0, bytes: 0 });
  if ('limit' in measured) {
    throw new EventStoreLimitError(streamId, measured.limit, measured.maximum, measured.found);
  }
  return measured;
}

/**
 * Whether a snapshot item can go in the same request as events that take `events`; if not, why, in words that say
 * the events are written all the same.
 */
export function snapshotWithinLimits(
  events: RequestSize,
  snapshot: WireItem,
): SkippedSnapshot | undefined {
  const measured = measure([snapshot], events);
  if (!('limit' in measured)) return undefined;
  const { limit, maximum, found } = measured;
  const what =
    limit === 'events per save'
      ? `with it the save would hold ${found} items, above DynamoDB's limit of ${maximum} per transaction ` +
        `(an append of ${maximum} events cannot carry a snapshot)`
      : limit === 'bytes per save'
        ? `with it the save would be ${found} bytes, above DynamoDB's limit of ${maximum} per transaction`
        : `it is ${found} bytes, above DynamoDB's limit of ${maximum} per item`;
  const saved = events.items === 1 ? 'The event was' : `The ${events.items} events were`;
  return {
    reason: `${saved} saved without the snapshot: ${what}.`,
    limit,
    maximum,
    found,
  };
}

function measure(items: readonly WireItem[], counted: RequestSize): RequestSize | Excess {
  const count = counted.items + items.length;
  if (count > MAX_ITEMS_PER_SAVE) {
    return { limit: 'events per save', maximum: MAX_ITEMS_PER_SAVE, found: count };
  }
  let bytes = counted.bytes;
  for (const item of items) {
    const size = itemSize(item);
    if (size > MAX_BYTES_PER_ITEM) {
      return { limit: 'bytes per event', maximum: MAX_BYTES_PER_ITEM, found: size };
    }
    bytes += size;
  }
  if (bytes > MAX_BYTES_PER_SAVE) {
    return { limit: 'bytes per save', maximum: MAX_BYTES_PER_SAVE, found: bytes };
  }
  return { items: count, bytes };
}
