import { SNAPSHOT_SORT_KEY } from './event-item.js';
import { toJsonAttribute } from './json-attribute.js';
import type { NewSnapshot, StoredSnapshot } from './types.js';

/**
 * A stream's latest snapshot: one item per stream, in the stream's own partition, at the highest sort key. A
 * newest-first Query of the partition therefore returns the snapshot, then the events after it, in one request.
 */
export type SnapshotItem = {
  readonly streamId: string;
  /** Always SNAPSHOT_SORT_KEY. */
  readonly version: number;
  /** The stream version the state reflects. */
  readonly snapshotVersion: number;
  readonly schemaVersion: number;
  /** JSON text of the aggregate's state. */
  readonly state: string;
  readonly recordedAt: string;
};

export const SNAPSHOT_VERSION_ATTRIBUTE = 'snapshotVersion';

export function toSnapshotItem(
  streamId: string,
  version: number,
  snapshot: NewSnapshot,
  recordedAt: string,
): SnapshotItem {
  return {
    streamId,
    version: SNAPSHOT_SORT_KEY,
    snapshotVersion: version,
    schemaVersion: snapshot.schemaVersion,
    state: toJsonAttribute(snapshot.state, streamId, 'snapshot', 'state'),
    recordedAt,
  };
}

export function toStoredSnapshot(item: Record<string, unknown>): StoredSnapshot {
  const snapshot = item as unknown as SnapshotItem;
  return {
    streamId: snapshot.streamId,
    version: Number(snapshot.snapshotVersion),
    schemaVersion: Number(snapshot.schemaVersion),
    state: JSON.parse(snapshot.state) as unknown,
    recordedAt: new Date(snapshot.recordedAt),
  };
}
