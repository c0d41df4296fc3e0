import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';

/** Records of one shard, for the handler. */
export interface ShardRecords {
  readonly shardId: string;
  /** In the shard's order. Only records with a dynamodb.NewImage are passed; the handler decodes and filters. */
  readonly records: readonly StreamRecord[];
}

/**
 * Resolves once every record is handled; then the runner checkpoints after the last one. Throwing = retry the batch
 * later (backoff), nothing checkpointed. Delivery is at least once: after a crash or a lost lease, the records after
 * the last checkpoint (one batch at most) are delivered again, so handling must be idempotent.
 */
export type ShardRecordsHandler = (batch: ShardRecords) => Promise<void>;

/** Where the runner reports what it does: Nest's Logger fits. */
export interface StreamRunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
