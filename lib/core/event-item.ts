import { toJsonAttribute } from './json-attribute.js';
import type { EventMetadata, NewEvent, StoredEvent } from './types.js';

/**
 * The table's layout. One item per event; partition key = stream, sort key = version. The highest sort key of each
 * partition is reserved for the stream's snapshot (see snapshot-item.ts). Names are short because DynamoDB counts
 * them in every item's size.
 */
export const PARTITION_KEY = 'streamId';
export const SORT_KEY = 'version';
export const SNAPSHOT_SORT_KEY = Number.MAX_SAFE_INTEGER;
export const MAX_EVENT_VERSION = SNAPSHOT_SORT_KEY - 1;

export type EventItem = {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  /** JSON text of the event's payload. */
  readonly payload: string;
  /** JSON text of the event's metadata. */
  readonly metadata: string;
  readonly eventId: string;
  /** ISO-8601 time the event was appended. */
  readonly recordedAt: string;
};

export function toEventItem(
  streamId: string,
  version: number,
  event: NewEvent,
  metadata: EventMetadata,
  recordedAt: string,
): EventItem {
  return {
    streamId,
    version,
    type: event.type,
    schemaVersion: event.schemaVersion ?? 1,
    payload: toJsonAttribute(event.payload, streamId, event.type, 'payload'),
    metadata: toJsonAttribute(metadata, streamId, event.type, 'metadata'),
    eventId: event.eventId ?? crypto.randomUUID(),
    recordedAt,
  };
}

export function toStoredEvent(item: Record<string, unknown>): StoredEvent {
  const event = item as unknown as EventItem;
  return {
    streamId: event.streamId,
    // A DocumentClient configured with wrapNumbers hands back NumberValue objects.
    version: Number(event.version),
    type: event.type,
    schemaVersion: event.schemaVersion === undefined ? 1 : Number(event.schemaVersion),
    payload: JSON.parse(event.payload) as unknown,
    metadata: JSON.parse(event.metadata) as EventMetadata,
    eventId: event.eventId,
    recordedAt: new Date(event.recordedAt),
  };
}

export function isSnapshotItem(item: Record<string, unknown>): boolean {
  return Number(item[SORT_KEY]) === SNAPSHOT_SORT_KEY;
}
