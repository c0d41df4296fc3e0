import { SNAPSHOT_SORT_KEY, type WireItem } from './event-item.js';
import { toJsonAttribute } from './json-attribute.js';
import type { NewSnapshot, StoredSnapshot } from './types.js';

/**
 * A stream's latest snapshot: one item per stream, in the stream's own partition, at the highest sort key, so that a
 * newest-first Query of the partition returns the snapshot, then the events after it, in one request. Attributes:
 * `streamId` (S), `version` (N, always SNAPSHOT_SORT_KEY), `snapshotVersion` (N, the stream version the state
 * reflects), `schemaVersion` (N), `state` (S, JSON text), `recordedAt` (S).
 */
export const SNAPSHOT_VERSION_ATTRIBUTE = 'snapshotVersion';

/** The attributes `toStoredSnapshot` reads. */
export const SNAPSHOT_ATTRIBUTES = [
  'streamId',
  'snapshotVersion',
  'schemaVersion',
  'state',
] as const;

export function toSnapshotItem(
  streamId: string,
  version: number,
  snapshot: NewSnapshot,
  recordedAt: string,
): WireItem {
  return {
    streamId: { S: streamId },
    version: { N: String(SNAPSHOT_SORT_KEY) },
    snapshotVersion: { N: String(version) },
    schemaVersion: { N: String(snapshot.schemaVersion) },
    state: { S: toJsonAttribute(snapshot.state, streamId, 'snapshot', 'state') },
    recordedAt: { S: recordedAt },
  };
}

export function toStoredSnapshot(item: WireItem): StoredSnapshot {
  return {
    streamId: item.streamId!.S!,
    version: Number(item.snapshotVersion!.N),
    schemaVersion: Number(item.schemaVersion!.N),
    state: JSON.parse(item.state!.S!) as unknown,
  };
}
