import {
  type PreparedAppend,
  type PreparedMultiAppend,
  streamsLabel,
} from '../../core/append-request.js';
import { EventSerializationError } from '../../core/errors.js';
import type { SkippedSnapshot } from '../../core/types.js';
import type { WireItem } from '../table-layout.js';
import { measureEventItems, type RequestSize, snapshotWithinLimits } from './append-limits.js';
import { type ItemEncoding, toEventItem } from './event-item.js';
import { toIdempotencyItem } from './idempotency-item.js';
import { itemSize } from './item-size.js';
import { toSnapshotItem } from './snapshot-item.js';

export interface EncodedAppend {
  readonly eventItems: readonly WireItem[];
  readonly snapshotItem?: WireItem;
  readonly snapshotSkipped?: SkippedSnapshot;
}

export interface EncodedMultiAppend {
  readonly appends: readonly EncodedAppend[];
  readonly idempotencyItem?: WireItem;
}

/**
 * The items an append writes, checked against DynamoDB's limits (unless `checkLimits` is false). An event that
 * cannot be stored, or events over a limit, throw; a snapshot that cannot go with them is left out, with the reason.
 * Both stores encode appends here, so they hold the same items and meet the same limits.
 */
export function encodeAppend(
  append: PreparedAppend,
  encoding: ItemEncoding,
  checkLimits = true,
): EncodedAppend {
  return encodeAppends({ appends: [append], retry: append.retry }, encoding, checkLimits)
    .appends[0]!;
}

/**
 * The items of an append to several streams: as encodeAppend, with the limits held over the whole write, the
 * idempotency key's item included. Snapshots go in, in the streams' order, while they fit.
 */
export function encodeAppends(
  { appends, idempotencyKey }: PreparedMultiAppend,
  encoding: ItemEncoding,
  checkLimits = true,
): EncodedMultiAppend {
  const eventItems = appends.map(({ streamId, events }) =>
    events.map((event) => toEventItem(streamId, event, encoding)),
  );
  const idempotencyItem =
    idempotencyKey &&
    toIdempotencyItem(
      idempotencyKey,
      {
        streams: appends.map(({ streamId, version }) => ({ streamId, version })),
        eventIds: appends.flatMap(({ events }) => events.map(({ eventId }) => eventId)),
      },
      appends[0]?.events[0]?.recordedAt ?? new Date(),
    );
  let size: RequestSize | undefined = checkLimits
    ? measureEventItems(streamsLabel(appends) || '(none)', [
        ...eventItems.flat(),
        ...(idempotencyItem ? [idempotencyItem] : []),
      ])
    : undefined;
  const encoded = appends.map((append, index): EncodedAppend => {
    const items = eventItems[index]!;
    const { streamId, version, events, snapshot } = append;
    if (!snapshot) return { eventItems: items };
    const saved = events.length === 1 ? 'The event was' : `The ${events.length} events were`;
    let snapshotItem: WireItem;
    try {
      // Stamped like the first event, so that appending the same events again sends the very same request.
      snapshotItem = toSnapshotItem(streamId, version, snapshot, events[0]!.recordedAt, encoding);
    } catch (error) {
      if (!(error instanceof EventSerializationError)) throw error;
      return {
        eventItems: items,
        snapshotSkipped: { reason: `${saved} saved without the snapshot: ${error.reason}.` },
      };
    }
    const snapshotSkipped = size && snapshotWithinLimits(size, snapshotItem);
    if (snapshotSkipped) return { eventItems: items, snapshotSkipped };
    if (size) size = { items: size.items + 1, bytes: size.bytes + itemSize(snapshotItem) };
    return { eventItems: items, snapshotItem };
  });
  return { appends: encoded, idempotencyItem };
}
