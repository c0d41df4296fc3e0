import type { PreparedEvent } from '../../core/append-request.js';
import type { EventData, EventMetadata, StoredEvent } from '../../core/types.js';
import { decodeJson, encodeJson } from '../codec.js';
import { EVENT_TABLE_ATTRIBUTES as A, SNAPSHOT_SORT_KEY, type WireItem } from '../table-layout.js';

/** The item of one event: every attribute of EVENT_TABLE_ATTRIBUTES but the snapshot's. */
export function toEventItem(streamId: string, event: PreparedEvent): WireItem {
  return {
    [A.streamId]: { S: streamId },
    [A.version]: { N: String(event.version) },
    [A.type]: { S: event.type },
    [A.schemaVersion]: { N: String(event.schemaVersion) },
    [A.payload]: { S: encodeJson(event.payload, streamId, event.type, 'payload') },
    [A.metadata]: { S: encodeJson(event.metadata, streamId, event.type, 'metadata') },
    [A.eventId]: { S: event.eventId },
    [A.recordedAt]: { S: event.recordedAt.toISOString() },
  };
}

export function toStoredEvent(item: WireItem): StoredEvent {
  const schemaVersion = item[A.schemaVersion];
  // toEventData's fields written out rather than spread in: this runs once per event read.
  return {
    streamId: item[A.streamId]!.S!,
    version: Number(item[A.version]!.N),
    type: item[A.type]!.S!,
    schemaVersion: schemaVersion ? Number(schemaVersion.N) : 1,
    payload: decodeJson(item[A.payload]!.S!),
    metadata: decodeJson(item[A.metadata]!.S!) as EventMetadata,
    eventId: item[A.eventId]!.S!,
    recordedAt: new Date(item[A.recordedAt]!.S!),
  };
}

/** The attributes `toEventData` reads: a read for rebuilding state asks for these only. */
export const EVENT_DATA_ATTRIBUTES = [A.version, A.type, A.schemaVersion, A.payload] as const;

export function toEventData(item: WireItem): EventData {
  const schemaVersion = item[A.schemaVersion];
  return {
    version: Number(item[A.version]!.N),
    type: item[A.type]!.S!,
    schemaVersion: schemaVersion ? Number(schemaVersion.N) : 1,
    payload: decodeJson(item[A.payload]!.S!),
  };
}

export function isSnapshotItem(item: WireItem): boolean {
  return Number(item[A.version]?.N) === SNAPSHOT_SORT_KEY;
}
