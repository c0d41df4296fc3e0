import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LEASE_TABLE_ATTRIBUTES as A, TRIM_HORIZON } from './lease-table-layout.js';

/** One shard's lease, as the lease table holds it. */
export interface Lease {
  readonly leaseKey: string;
  readonly shardId: string;
  readonly streamArn: string;
  readonly parentShardIds: readonly string[];
  /** Absent when nobody owns the lease. */
  readonly leaseOwner: string | undefined;
  readonly leaseCounter: number;
  /** A sequence number, TRIM_HORIZON or SHARD_END. */
  readonly checkpoint: string;
  readonly updatedAt: string;
  /** A worker that asked the owner to hand the lease over. */
  readonly handoffRequestedBy: string | undefined;
}

export type LeaseItem = Record<string, AttributeValue>;

/** The lease key of a shard: unique across the streams whose leases share one table. */
export function leaseKeyOf(streamArn: string, shardId: string): string {
  return `${streamArn}#${shardId}`;
}

/** The lease of a shard nobody has read yet. */
export function newLease(
  streamArn: string,
  shardId: string,
  parentShardIds: readonly string[],
  now: Date,
): Lease {
  return {
    leaseKey: leaseKeyOf(streamArn, shardId),
    shardId,
    streamArn,
    parentShardIds,
    leaseOwner: undefined,
    leaseCounter: 0,
    checkpoint: TRIM_HORIZON,
    updatedAt: now.toISOString(),
    handoffRequestedBy: undefined,
  };
}

export function encodeLease(lease: Lease): LeaseItem {
  return {
    [A.leaseKey]: { S: lease.leaseKey },
    [A.shardId]: { S: lease.shardId },
    [A.streamArn]: { S: lease.streamArn },
    [A.parentShardIds]: { L: lease.parentShardIds.map((id) => ({ S: id })) },
    ...(lease.leaseOwner === undefined ? {} : { [A.leaseOwner]: { S: lease.leaseOwner } }),
    [A.leaseCounter]: { N: String(lease.leaseCounter) },
    [A.checkpoint]: { S: lease.checkpoint },
    [A.updatedAt]: { S: lease.updatedAt },
    ...(lease.handoffRequestedBy === undefined
      ? {}
      : { [A.handoffRequestedBy]: { S: lease.handoffRequestedBy } }),
  };
}

export function decodeLease(item: LeaseItem): Lease {
  const text = (name: string): string => {
    const value = item[name]?.S;
    if (value === undefined) throw new Error(`Lease item without ${name}: ${JSON.stringify(item)}`);
    return value;
  };
  return {
    leaseKey: text(A.leaseKey),
    shardId: text(A.shardId),
    streamArn: text(A.streamArn),
    parentShardIds: (item[A.parentShardIds]?.L ?? []).flatMap((id) => (id.S ? [id.S] : [])),
    leaseOwner: item[A.leaseOwner]?.S,
    leaseCounter: Number(item[A.leaseCounter]?.N ?? '0'),
    checkpoint: text(A.checkpoint),
    updatedAt: text(A.updatedAt),
    handoffRequestedBy: item[A.handoffRequestedBy]?.S,
  };
}
