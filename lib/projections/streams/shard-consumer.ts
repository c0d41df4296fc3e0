import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { delay } from './delay.js';
import { TRIM_HORIZON } from './lease-table-layout.js';
import type { OwnedLease } from './owned-lease.js';
import {
  isAborted,
  isExpiredIterator,
  isResourceNotFound,
  isTrimmedDataAccess,
} from '../../dynamodb/sdk-errors.js';
import type { ShardRecordsHandler, StreamRunnerLogger } from './stream-records.js';

export interface ShardConsumerSettings {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly handler: ShardRecordsHandler;
  readonly maxRecordsPerCall: number;
  readonly idleDelayMs: number;
  readonly retryBackoffMs: (attempt: number) => number;
  readonly logger: StreamRunnerLogger;
}

/**
 * Why a consumer ended: asked to stop, its lease lost, its shard read to the end, or asked to hand the lease over
 * (after its batch in flight).
 */
export type ConsumerEnd = 'stopped' | 'lost' | 'shard-end' | 'handoff';

/**
 * Reads one shard for as long as this worker holds its lease: GetRecords from the checkpoint on, each response's
 * records (those with a new image) to the handler, then a checkpoint after the response's last record, fenced by the
 * lease. One batch at a time, so records reach the handler in the shard's order.
 */
export class ShardConsumer {
  private readonly stopping = new AbortController();
  private handoffTo: string | undefined;
  /** After TrimmedDataAccess: the checkpoint is older than the stream's retention. */
  private restartFromTrimHorizon = false;
  private lag: number | undefined;
  /** When the oldest record of the batch being handled was written: the lag grows while a batch keeps failing. */
  private pendingSince: Date | undefined;

  constructor(
    private readonly lease: OwnedLease,
    private readonly settings: ShardConsumerSettings,
  ) {}

  get shardId(): string {
    return this.lease.lease.shardId;
  }

  /**
   * How old the newest record handled was when it was handled; 0 once a read found nothing new. While a batch is
   * being handled (and retried), how old its oldest record is now.
   */
  get lagMs(): number | undefined {
    return this.pendingSince ? Math.max(0, Date.now() - this.pendingSince.getTime()) : this.lag;
  }

  /** The worker a hand-off was asked for, once `handOff` was called. */
  get handoffRequestedBy(): string | undefined {
    return this.handoffTo;
  }

  /** Stops reading; the batch in flight, if any, is finished and checkpointed first. */
  stop(): void {
    this.stopping.abort();
  }

  /** Stops as `stop` does, so that the lease can then be handed to `workerId`. */
  handOff(workerId: string): void {
    this.handoffTo ??= workerId;
    this.stopping.abort();
  }

  async run(): Promise<ConsumerEnd> {
    // Aborts in-flight reads and waits on stop or on a lost lease; never the handler's batch.
    const signal = AbortSignal.any([this.stopping.signal, this.lease.lost]);
    let iterator: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        iterator ??= await this.iteratorFromCheckpoint(signal);
        if (iterator === undefined) return await this.finishShard();
        const page = await this.settings.streams.send(
          new GetRecordsCommand({
            ShardIterator: iterator,
            Limit: this.settings.maxRecordsPerCall,
          }),
          { abortSignal: signal },
        );
        failures = 0;
        const records = page.Records ?? [];
        if (records.length > 0) {
          if (!(await this.deliver(records, signal))) break;
          const last = records.at(-1)?.dynamodb?.SequenceNumber;
          if (page.NextShardIterator && last !== undefined && !(await this.checkpoint(last))) {
            return 'lost';
          }
        }
        if (!page.NextShardIterator) return await this.finishShard();
        iterator = page.NextShardIterator;
        if (records.length === 0) {
          this.lag = 0;
          await delay(this.settings.idleDelayMs, signal);
        }
      } catch (error) {
        if (signal.aborted && isAborted(error)) break;
        iterator = undefined;
        failures += 1;
        if (isExpiredIterator(error)) {
          this.settings.logger.log(
            `Shard ${this.shardId}: the shard iterator expired; reading on from the checkpoint.`,
          );
        } else if (isTrimmedDataAccess(error)) {
          this.reportTrimmed(error);
        } else {
          this.settings.logger.warn(
            `Shard ${this.shardId}: reading failed (attempt ${failures}), retrying from the checkpoint: ` +
              messageOf(error),
          );
        }
        // A fresh iterator answers an expired or trimmed one at once; the same error again is waited out.
        if (failures === 1 && (isExpiredIterator(error) || isTrimmedDataAccess(error))) continue;
        await delay(this.settings.retryBackoffMs(failures), signal);
      }
    }
    return this.lease.lost.aborted ? 'lost' : this.handoffTo ? 'handoff' : 'stopped';
  }

  /** An iterator after the checkpoint; undefined when the shard no longer exists. */
  private async iteratorFromCheckpoint(signal: AbortSignal): Promise<string | undefined> {
    const { checkpoint, shardId } = this.lease.lease;
    const fromStart = checkpoint === TRIM_HORIZON || this.restartFromTrimHorizon;
    try {
      const { ShardIterator } = await this.settings.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.settings.streamArn,
          ShardId: shardId,
          ...(fromStart
            ? { ShardIteratorType: 'TRIM_HORIZON' }
            : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }),
        }),
        { abortSignal: signal },
      );
      this.restartFromTrimHorizon = false;
      return ShardIterator;
    } catch (error) {
      if (isTrimmedDataAccess(error) && !fromStart) {
        this.reportTrimmed(error);
        return this.iteratorFromCheckpoint(signal);
      }
      if (isResourceNotFound(error)) {
        // A shard is dropped from the stream 24 hours after it closed: whatever was left unread of it is gone, and
        // only its end lets its children be read.
        this.settings.logger.error(
          `Shard ${shardId} no longer exists in the stream: marking it read to its end. Records of it that were ` +
            'not handled are lost to the stream; rebuild the projections from the table.',
        );
        return undefined;
      }
      throw error;
    }
  }

  private reportTrimmed(error: unknown): void {
    // The records between the checkpoint and the stream's oldest are gone from the stream, though not from the
    // events table: the projections' rebuild catches up from the table, and reading on from the oldest record
    // left is the best the stream can still do (the handler skips what it already has).
    this.settings.logger.error(
      `Shard ${this.shardId}: records after checkpoint ${this.lease.lease.checkpoint} are beyond the stream's ` +
        '24-hour retention and were never handled. Reading on from the oldest record left (TRIM_HORIZON); rebuild ' +
        `the projections from the events table to recover what was missed (${messageOf(error)}).`,
    );
    this.restartFromTrimHorizon = true;
  }

  /** Hands the batch to the handler until it succeeds; false when stopped or the lease was lost first. */
  private async deliver(records: readonly StreamRecord[], signal: AbortSignal): Promise<boolean> {
    const withNewImages = records.filter((record) => record.dynamodb?.NewImage !== undefined);
    if (withNewImages.length > 0) {
      this.pendingSince = withNewImages[0]!.dynamodb?.ApproximateCreationDateTime;
      try {
        if (!(await this.deliverUntilHandled(withNewImages, signal))) return false;
      } finally {
        this.pendingSince = undefined;
      }
    }
    const created = records.at(-1)?.dynamodb?.ApproximateCreationDateTime;
    if (created) this.lag = Math.max(0, Date.now() - created.getTime());
    return true;
  }

  /** Retries the handler on the batch with backoff; false when stopped or the lease was lost first. */
  private async deliverUntilHandled(
    withNewImages: readonly StreamRecord[],
    signal: AbortSignal,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return false;
      if (!this.lease.isHeld()) {
        this.lease.markLost('it could not be renewed for the failover time');
        return false;
      }
      try {
        await this.settings.handler({ shardId: this.shardId, records: withNewImages });
        return true;
      } catch (error) {
        this.settings.logger.warn(
          `Shard ${this.shardId}: the handler failed on ${withNewImages.length} record(s) ` +
            `(attempt ${attempt}); retrying the same batch: ${messageOf(error)}`,
        );
        await delay(this.settings.retryBackoffMs(attempt), signal);
      }
    }
  }

  /** Fenced: false once the lease is lost. A failing write only delays the checkpoint to the next batch's. */
  private async checkpoint(sequenceNumber: string): Promise<boolean> {
    try {
      return await this.lease.checkpoint(sequenceNumber);
    } catch (error) {
      this.settings.logger.warn(
        `Shard ${this.shardId}: could not checkpoint ${sequenceNumber}, will with the next batch: ` +
          messageOf(error),
      );
      return !this.lease.lost.aborted;
    }
  }

  private async finishShard(): Promise<ConsumerEnd> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.lease.finish()) ? 'shard-end' : 'lost';
      } catch (error) {
        this.settings.logger.warn(
          `Shard ${this.shardId}: could not checkpoint its end (attempt ${attempt}): ${messageOf(error)}`,
        );
        if (!this.lease.isHeld()) {
          this.lease.markLost('it could not be written for the failover time');
          return 'lost';
        }
        if (this.stopping.signal.aborted) return 'stopped';
        await delay(this.settings.retryBackoffMs(attempt), this.stopping.signal);
      }
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
