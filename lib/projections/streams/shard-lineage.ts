import type { Lease } from './lease-item.js';
import { SHARD_END } from './lease-table-layout.js';

/**
 * Whether a shard may be read now. A shard is read only after each of its parents was read to its end, which is
 * what keeps an item's records in order across a split: its older records are in the parent. A parent that is no
 * longer in the stream's shard list was trimmed (24 hours after it closed): nothing of it can be read any more, so
 * it does not hold its children back. A parent still listed but without a lease yet does: its lease is about to be
 * created, from TRIM_HORIZON.
 */
export function isReadyToRead(
  lease: Lease,
  leasesByShardId: ReadonlyMap<string, Lease>,
  shardIdsInStream: ReadonlySet<string>,
): boolean {
  if (lease.checkpoint === SHARD_END) return false;
  return lease.parentShardIds.every(
    (parent) =>
      !shardIdsInStream.has(parent) || leasesByShardId.get(parent)?.checkpoint === SHARD_END,
  );
}

/** The leases that may be read now, in the order given. */
export function leasesReadyToRead(
  leases: readonly Lease[],
  shardIdsInStream: ReadonlySet<string>,
): Lease[] {
  const byShardId = new Map(leases.map((lease) => [lease.shardId, lease]));
  return leases.filter((lease) => isReadyToRead(lease, byShardId, shardIdsInStream));
}
