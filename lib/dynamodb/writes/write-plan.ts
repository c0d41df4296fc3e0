import type { PreparedMultiAppend } from '../../core/append-request.js';
import type { EncodedMultiAppend } from '../items/encode-append.js';
import type { WireItem } from '../table-layout.js';

/** One item of an append's write, with what it stands for: the request order is the order of these. */
export type PlannedItem =
  | {
      readonly kind: 'event';
      readonly streamId: string;
      readonly expectedVersion: number;
      readonly eventId: string;
      readonly item: WireItem;
    }
  | {
      readonly kind: 'snapshot';
      readonly streamId: string;
      readonly expectedVersion: number;
      readonly item: WireItem;
    }
  | {
      readonly kind: 'idempotency key';
      readonly key: string;
      readonly fingerprint: string;
      /** The ids of every event of the append, in order. */
      readonly eventIds: readonly string[];
      readonly item: WireItem;
    };

/** The items of an append to one or more streams, each stream's events then its snapshot, the key last. */
export function planWrite(
  { appends, idempotencyKey }: PreparedMultiAppend,
  encoded: EncodedMultiAppend,
): PlannedItem[] {
  const planned: PlannedItem[] = appends.flatMap(({ streamId, expectedVersion, events }, index) => {
    const { eventItems, snapshotItem } = encoded.appends[index]!;
    return [
      ...eventItems.map((item, at): PlannedItem => ({
        kind: 'event',
        streamId,
        expectedVersion,
        eventId: events[at]!.eventId,
        item,
      })),
      ...(snapshotItem
        ? [{ kind: 'snapshot', streamId, expectedVersion, item: snapshotItem } as const]
        : []),
    ];
  });
  if (idempotencyKey && encoded.idempotencyItem) {
    planned.push({
      kind: 'idempotency key',
      key: idempotencyKey.key,
      fingerprint: idempotencyKey.fingerprint,
      eventIds: appends.flatMap(({ events }) => events.map(({ eventId }) => eventId)),
      item: encoded.idempotencyItem,
    });
  }
  return planned;
}
