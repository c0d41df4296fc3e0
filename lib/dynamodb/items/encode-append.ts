import type { PreparedAppend } from '../../core/append-request.js';
import { EventSerializationError } from '../../core/errors.js';
import type { SkippedSnapshot } from '../../core/types.js';
import type { WireItem } from '../table-layout.js';
import { measureEventItems, type RequestSize, snapshotWithinLimits } from './append-limits.js';
import { toEventItem } from './event-item.js';
import { toSnapshotItem } from './snapshot-item.js';

export interface EncodedAppend {
  readonly eventItems: readonly WireItem[];
  readonly snapshotItem?: WireItem;
  readonly snapshotSkipped?: SkippedSnapshot;
}

/**
 * The items an append writes, checked against DynamoDB's limits (unless `checkLimits` is false). An event that
 * cannot be stored, or events over a limit, throw; a snapshot that cannot go with them is left out, with the reason.
 * Both stores encode appends here, so they hold the same items and meet the same limits.
 */
export function encodeAppend(append: PreparedAppend, checkLimits = true): EncodedAppend {
  const { streamId, version, events, snapshot } = append;
  const eventItems = events.map((event) => toEventItem(streamId, event));
  const size: RequestSize | undefined = checkLimits
    ? measureEventItems(streamId, eventItems)
    : undefined;
  if (!snapshot) return { eventItems };
  const saved = events.length === 1 ? 'The event was' : `The ${events.length} events were`;
  let snapshotItem: WireItem;
  try {
    // Stamped like the first event, so that appending the same events again sends the very same request.
    snapshotItem = toSnapshotItem(streamId, version, snapshot, events[0]!.recordedAt);
  } catch (error) {
    if (!(error instanceof EventSerializationError)) throw error;
    return {
      eventItems,
      snapshotSkipped: { reason: `${saved} saved without the snapshot: ${error.reason}.` },
    };
  }
  const snapshotSkipped = size && snapshotWithinLimits(size, snapshotItem);
  return snapshotSkipped ? { eventItems, snapshotSkipped } : { eventItems, snapshotItem };
}
