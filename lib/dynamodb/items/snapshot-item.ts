import type { NewSnapshot, StoredSnapshot } from '../../core/types.js';
import { decodeJson, encodeJson } from '../codec.js';
import { EVENT_TABLE_ATTRIBUTES as A, SNAPSHOT_SORT_KEY, type WireItem } from '../table-layout.js';

/**
 * A stream's latest snapshot: one item per stream, in the stream's own partition, at the highest sort key, so that a
 * newest-first Query of the partition returns the snapshot, then the events after it, in one request. Attributes:
 * streamId, version (always SNAPSHOT_SORT_KEY), snapshotVersion (the stream version the state reflects),
 * schemaVersion, state (JSON text), recordedAt.
 */
export function toSnapshotItem(
  streamId: string,
  version: number,
  snapshot: NewSnapshot,
  recordedAt: Date,
): WireItem {
  return {
    [A.streamId]: { S: streamId },
    [A.version]: { N: String(SNAPSHOT_SORT_KEY) },
    [A.snapshotVersion]: { N: String(version) },
    [A.schemaVersion]: { N: String(snapshot.schemaVersion) },
    [A.state]: { S: encodeJson(snapshot.state, streamId, 'snapshot', 'state') },
    [A.recordedAt]: { S: recordedAt.toISOString() },
  };
}

/** The attributes `toStoredSnapshot` reads. */
export const SNAPSHOT_ATTRIBUTES = [
  A.streamId,
  A.snapshotVersion,
  A.schemaVersion,
  A.state,
] as const;

export function toStoredSnapshot(item: WireItem): StoredSnapshot {
  return {
    streamId: item[A.streamId]!.S!,
    version: snapshotVersionOf(item),
    schemaVersion: Number(item[A.schemaVersion]!.N),
    state: decodeJson(item[A.state]!.S!),
  };
}

export function snapshotVersionOf(item: WireItem): number {
  return Number(item[A.snapshotVersion]?.N);
}
