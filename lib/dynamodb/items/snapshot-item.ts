import type { NewSnapshot, StoredSnapshot } from '../../core/types.js';
import { decodeJson, encodeJson } from '../codec.js';
import {
  EVENT_TABLE_ATTRIBUTES as A,
  LAYOUT_1_ATTRIBUTES as L1,
  SNAPSHOT_SORT_KEY,
  type WireItem,
} from '../table-layout.js';
import { type ItemEncoding, schemaVersionOf } from './event-item.js';
import { jsonAttribute, jsonTextOf } from './json-attribute.js';

/**
 * A stream's latest snapshot: one item per stream, in the stream's own partition, at the highest sort key, so that a
 * newest-first Query of the partition returns the snapshot, then the events after it, in one request. Attributes:
 * streamId, version (always SNAPSHOT_SORT_KEY), snapshotVersion (the stream version the state reflects), schema
 * (absent when 1), state (JSON text, compressed as a payload is), time.
 */
export function toSnapshotItem(
  streamId: string,
  version: number,
  snapshot: NewSnapshot,
  recordedAt: Date,
  { compression }: ItemEncoding,
): WireItem {
  const state = encodeJson(snapshot.state, streamId, 'snapshot', 'state');
  const item: WireItem = {
    [A.streamId]: { S: streamId },
    [A.version]: { N: String(SNAPSHOT_SORT_KEY) },
    [A.snapshotVersion]: { N: String(version) },
    [A.state]: jsonAttribute(state, compression),
    [A.recordedAt]: { N: String(recordedAt.getTime()) },
  };
  if (snapshot.schemaVersion !== 1) item[A.schemaVersion] = { N: String(snapshot.schemaVersion) };
  return item;
}

/** The attributes `toStoredSnapshot` reads, in either layout. */
export const SNAPSHOT_ATTRIBUTES = [
  A.streamId,
  A.snapshotVersion,
  A.schemaVersion,
  A.state,
  L1.schemaVersion,
] as const;

export function toStoredSnapshot(item: WireItem): StoredSnapshot {
  return {
    streamId: item[A.streamId]!.S!,
    version: snapshotVersionOf(item),
    schemaVersion: schemaVersionOf(item),
    state: decodeJson(jsonTextOf(item[A.state]!)),
  };
}

export function snapshotVersionOf(item: WireItem): number {
  return Number(item[A.snapshotVersion]?.N);
}
