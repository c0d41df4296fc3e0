/**
 * The lease table's layout: every attribute name the stream runner reads or writes, in one place. One item per shard
 * of the events table's stream, after the Kinesis Client Library's lease design: whoever owns the item's lease is
 * the one worker reading that shard, and its checkpoint says how far the shard has been handled.
 */
export const LEASE_TABLE_ATTRIBUTES = {
  /** S, partition key: the stream ARN and the shard id (leases of several streams can share a table). */
  leaseKey: 'leaseKey',
  /** S: the shard id. */
  shardId: 'shardId',
  /** S: the stream the shard belongs to. */
  streamArn: 'streamArn',
  /** L of S: the shards to read to their end before this one (DynamoDB gives one at most: ParentShardId). */
  parentShardIds: 'parentShardIds',
  /** S, absent when nobody owns the lease: the worker reading the shard. */
  leaseOwner: 'leaseOwner',
  /** N: bumped by every write of the lease; a worker whose write names an older counter has lost the lease. */
  leaseCounter: 'leaseCounter',
  /** S: the last sequence number handled, TRIM_HORIZON before the first, or SHARD_END once the shard is done. */
  checkpoint: 'checkpoint',
  /** S, ISO-8601: when the lease was last written. For people; expiry is measured on each worker's own clock. */
  updatedAt: 'updatedAt',
  /** S, absent unless asked: a worker that wants the lease, to which the owner hands it after its batch in flight. */
  handoffRequestedBy: 'handoffRequestedBy',
} as const;

export const LEASE_PARTITION_KEY = LEASE_TABLE_ATTRIBUTES.leaseKey;

/** The checkpoint of a lease nothing was read of: read the shard from its oldest record. */
export const TRIM_HORIZON = 'TRIM_HORIZON';

/** The checkpoint of a shard that was read to its end: its children may be read. */
export const SHARD_END = 'SHARD_END';
