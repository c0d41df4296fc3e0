import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { toJsonAttribute } from './json-attribute.js';
import type { EventData, EventMetadata, NewEvent, StoredEvent } from './types.js';

/**
 * The table's layout. One item per event; partition key = stream, sort key = version. The highest sort key of each
 * partition is reserved for the stream's snapshot (see snapshot-item.ts). Names are short because DynamoDB counts
 * them in every item's size.
 */
export const PARTITION_KEY = 'streamId';
export const SORT_KEY = 'version';
export const SNAPSHOT_SORT_KEY = Number.MAX_SAFE_INTEGER;
export const MAX_EVENT_VERSION = SNAPSHOT_SORT_KEY - 1;

/**
 * An item in DynamoDB's attribute-value form. The store's items are flat and of a fixed layout, so it writes and
 * reads this form itself: measured, the DocumentClient's generic conversion was the largest cost the library added
 * to a load or a save.
 */
export type WireItem = Record<string, AttributeValue>;

/**
 * An event item: `streamId` (S), `version` (N), `type` (S), `schemaVersion` (N), `payload` and `metadata` (S, JSON
 * text), `eventId` (S), `recordedAt` (S, ISO-8601).
 */
export function toEventItem(
  streamId: string,
  version: number,
  event: NewEvent,
  metadata: EventMetadata,
  eventId: string,
  recordedAt: string,
): WireItem {
  return {
    streamId: { S: streamId },
    version: { N: String(version) },
    type: { S: event.type },
    schemaVersion: { N: String(event.schemaVersion ?? 1) },
    payload: { S: toJsonAttribute(event.payload, streamId, event.type, 'payload') },
    metadata: { S: toJsonAttribute(metadata, streamId, event.type, 'metadata') },
    eventId: { S: eventId },
    recordedAt: { S: recordedAt },
  };
}

export function toStoredEvent(item: WireItem): StoredEvent {
  return {
    streamId: item.streamId!.S!,
    version: Number(item.version!.N),
    type: item.type!.S!,
    schemaVersion: item.schemaVersion ? Number(item.schemaVersion.N) : 1,
    payload: JSON.parse(item.payload!.S!) as unknown,
    metadata: JSON.parse(item.metadata!.S!) as EventMetadata,
    eventId: item.eventId!.S!,
    recordedAt: new Date(item.recordedAt!.S!),
  };
}

/** The attributes `toEventData` reads: a read for rebuilding state asks for these only. */
export const EVENT_DATA_ATTRIBUTES = ['version', 'type', 'schemaVersion', 'payload'] as const;

export function toEventData(item: WireItem): EventData {
  return {
    version: Number(item.version!.N),
    type: item.type!.S!,
    schemaVersion: item.schemaVersion ? Number(item.schemaVersion.N) : 1,
    payload: JSON.parse(item.payload!.S!) as unknown,
  };
}

export function isSnapshotItem(item: WireItem): boolean {
  return Number(item[SORT_KEY]?.N) === SNAPSHOT_SORT_KEY;
}
