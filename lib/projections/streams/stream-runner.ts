import { chooseLeasesToTake, claimsOf } from './lease-balance.js';
import { LeaseSightings } from './lease-sightings.js';
import { type Lease, newLease } from './lease-item.js';
import { LeaseTable } from './lease-table.js';
import { SHARD_END } from './lease-table-layout.js';
import { OwnedLease } from './owned-lease.js';
import { RepeatingTask } from './repeating-task.js';
import { type ConsumerEnd, ShardConsumer } from './shard-consumer.js';
import { leasesReadyToRead } from './shard-lineage.js';
import { latestStreamArnOf } from './stream-arn.js';
import type { StreamRunnerLogger } from './stream-records.js';
import {
  type StreamRunnerOptions,
  type StreamRunnerSettings,
  streamRunnerSettings,
} from './stream-runner-options.js';
import { listStreamShards } from './stream-shards.js';

export interface StreamRunnerStatus {
  readonly workerId: string;
  readonly leases: readonly {
    readonly shardId: string;
    readonly checkpoint: string;
    readonly owned: boolean;
    /** Owned leases: how old the newest record handled was when it was handled; 0 once a read found nothing new. */
    readonly lagMs?: number;
  }[];
}

export type { StreamRunnerOptions } from './stream-runner-options.js';

interface Ownership {
  readonly lease: OwnedLease;
  readonly consumer: ShardConsumer;
  readonly ended: Promise<void>;
}

/**
 * Reads the events table's DynamoDB stream and hands each shard's records, in order, to the handler, in the manner
 * of the Kinesis Client Library: one lease per shard in a lease table, owned by one worker at a time, renewed by a
 * counter, taken over when that counter stands still for the failover time, balanced between the workers, and
 * checkpointed after each batch under the owner's fence. Delivery is at least once; after a crash, the records
 * after the last checkpoint (one batch at most) are delivered again.
 *
 * One instance per process; start as many processes as you like on one lease table.
 */
export class StreamRunner {
  readonly workerId: string;
  private readonly settings: StreamRunnerSettings;
  private readonly logger: StreamRunnerLogger;
  private readonly leases: LeaseTable;
  private readonly sightings: LeaseSightings;
  private readonly owned = new Map<string, Ownership>();
  private streamArn = '';
  private shardIdsInStream = new Set<string>();
  private lastScan: readonly Lease[] = [];
  private leaseTask: RepeatingTask | undefined;
  private shardSyncTask: RepeatingTask | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  /** @throws StreamRunnerOptionsError for times or limits that cannot work. */
  constructor(private readonly options: StreamRunnerOptions) {
    this.settings = streamRunnerSettings(options);
    this.workerId = this.settings.workerId;
    this.logger = this.settings.logger;
    this.leases = new LeaseTable(options.dynamodb, options.leaseTable);
    this.sightings = new LeaseSightings(this.settings.failoverTimeMs);
  }

  /**
   * Finds the stream and its shards, creates the missing leases and takes this worker's share of the free ones;
   * resolves once that first pass is done, with reading under way.
   *
   * @throws StreamNotEnabledError when the events table has no stream with new images.
   */
  start(): Promise<void> {
    if (this.starting) {
      return Promise.reject(
        new Error(
          'StreamRunner.start() was called twice: a runner starts once; create another one.',
        ),
      );
    }
    this.starting = this.begin();
    return this.starting;
  }

  /**
   * Stops reading: reads in flight are abandoned, the batch in the handler is finished and checkpointed, and the
   * leases are released, so that another worker takes them at once rather than after the failover time. Nothing of
   * the runner keeps the process alive afterwards.
   */
  stop(): Promise<void> {
    this.stopping ??= this.end();
    return this.stopping;
  }

  /** What this worker owns and where each shard of the stream stands, as of its last look at the lease table. */
  status(): StreamRunnerStatus {
    return {
      workerId: this.workerId,
      leases: this.lastScan.map((scanned) => {
        const ownership = this.owned.get(scanned.leaseKey);
        const lagMs = ownership?.consumer.lagMs;
        return {
          shardId: scanned.shardId,
          checkpoint: ownership?.lease.lease.checkpoint ?? scanned.checkpoint,
          owned: ownership?.lease.isHeld() ?? false,
          ...(lagMs === undefined ? {} : { lagMs }),
        };
      }),
    };
  }

  private async begin(): Promise<void> {
    try {
      this.streamArn = await latestStreamArnOf(this.options.dynamodb, this.options.eventsTable);
      await this.syncShards();
      await this.leasePass();
    } catch (error) {
      // Leases taken before the failure are given back.
      this.stopping ??= this.shutDown();
      await this.stopping;
      throw error;
    }
    if (this.stopping) return;
    const reportFailure = (what: string) => (error: unknown) =>
      this.logger.warn(`${what} failed, will try again: ${messageOf(error)}`);
    this.leaseTask = new RepeatingTask(
      (signal) => this.leasePass(signal),
      this.settings.renewIntervalMs,
      reportFailure('Renewing and taking leases'),
    );
    this.shardSyncTask = new RepeatingTask(
      (signal) => this.syncShards(signal),
      this.settings.shardSyncIntervalMs,
      reportFailure('Listing the shards'),
    );
    this.leaseTask.start();
    this.shardSyncTask.start();
  }

  private async end(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.shutDown();
  }

  private async shutDown(): Promise<void> {
    await this.shardSyncTask?.stop();
    // Renewals go on while the handlers finish their batches: a long batch must not cost the lease.
    await this.stopConsumers();
    await this.leaseTask?.stop();
    // A pass under way at the stop may have taken a lease after the consumers were told to stop.
    await this.stopConsumers();
  }

  /** Each consumer finishes its batch in flight, then releases its lease. */
  private async stopConsumers(): Promise<void> {
    while (this.owned.size > 0) {
      for (const { consumer } of this.owned.values()) consumer.stop();
      await Promise.all([...this.owned.values()].map(({ ended }) => ended));
    }
  }

  /**
   * DescribeStream; a lease (from TRIM_HORIZON) for every shard that has none, and none any more for the shards
   * read to their end that have left the stream. DynamoDB closes each shard after a few hours and opens children,
   * so without the cleanup the lease table, and every scan of it, would grow for ever.
   */
  private async syncShards(signal?: AbortSignal): Promise<void> {
    const shards = await listStreamShards(this.options.streams, this.streamArn, signal);
    this.shardIdsInStream = new Set(shards.map((shard) => shard.shardId));
    const leases = await this.leases.list(this.streamArn, signal);
    const leased = new Set(leases.map((lease) => lease.shardId));
    for (const shard of shards) {
      if (leased.has(shard.shardId) || signal?.aborted) continue;
      const lease = newLease(this.streamArn, shard.shardId, shard.parentShardIds, new Date());
      if (await this.leases.create(lease)) {
        this.logger.log(`New shard ${shard.shardId}: its lease is created, from TRIM_HORIZON.`);
      }
    }
    for (const lease of leases) {
      if (signal?.aborted) return;
      if (lease.checkpoint !== SHARD_END || this.shardIdsInStream.has(lease.shardId)) continue;
      if (await this.leases.deleteFinished(lease)) {
        this.logger.log(
          `Shard ${lease.shardId} has left the stream: its finished lease is deleted.`,
        );
      }
    }
  }

  /** Renews the leases held, then looks at the lease table and takes (or asks for) this worker's share. */
  private async leasePass(signal?: AbortSignal): Promise<void> {
    await this.renewOwnedLeases();
    const leases = await this.leases.list(this.streamArn, signal);
    const now = performance.now();
    this.sightings.record(leases, now);
    this.lastScan = leases;
    if (this.stopping) return;

    const ready = leasesReadyToRead(leases, this.shardIdsInStream);
    const claims = claimsOf(ready, this.workerId, (lease) => this.sightings.isExpired(lease, now));
    const choice = chooseLeasesToTake(this.workerId, claims);
    const byKey = new Map(ready.map((lease) => [lease.leaseKey, lease]));
    // Leases the table gives this worker that it does not hold: handed over to it, or held by an earlier run with
    // the same worker id. They are its own whatever the balance, and taken back at once.
    const assigned = ready.filter(
      (lease) => lease.leaseOwner === this.workerId && !this.owned.has(lease.leaseKey),
    );
    for (const lease of [...assigned, ...choice.take.map((key) => byKey.get(key)!)]) {
      if (this.stopping) return;
      await this.takeLease(lease);
    }
    const wanted = choice.steal === undefined ? undefined : byKey.get(choice.steal);
    if (wanted && !this.stopping && (await this.leases.requestHandoff(wanted, this.workerId))) {
      this.logger.log(
        `Asked ${wanted.leaseOwner} to hand over shard ${wanted.shardId}, to balance the leases.`,
      );
    }
  }

  private async renewOwnedLeases(): Promise<void> {
    await Promise.all(
      [...this.owned.values()].map(async ({ lease, consumer }) => {
        try {
          if (!(await lease.renew())) return;
        } catch (error) {
          if (!lease.isHeld()) lease.markLost('it could not be renewed for the failover time');
          this.logger.warn(
            `Could not renew the lease of shard ${consumer.shardId}: ${messageOf(error)}`,
          );
          return;
        }
        const requester = lease.lease.handoffRequestedBy;
        if (
          requester !== undefined &&
          !this.stopping &&
          consumer.handoffRequestedBy === undefined
        ) {
          this.logger.log(
            `${requester} asked for shard ${consumer.shardId}: handing it over after the batch in flight.`,
          );
          consumer.handOff(requester);
        }
      }),
    );
  }

  private async takeLease(lease: Lease): Promise<void> {
    const expiredOwner = lease.leaseOwner === this.workerId ? undefined : lease.leaseOwner;
    const sentAt = performance.now();
    const taken = await this.leases.take(lease, this.workerId);
    if (!taken) return; // another worker was quicker
    const owned = new OwnedLease(this.leases, taken, sentAt, this.settings.failoverTimeMs);
    if (this.stopping) {
      await owned.release();
      return;
    }
    this.logger.log(
      `Took shard ${taken.shardId}` +
        (expiredOwner ? ` from ${expiredOwner}, whose lease had expired` : '') +
        ` (checkpoint ${taken.checkpoint}).`,
    );
    const consumer = new ShardConsumer(owned, {
      streams: this.options.streams,
      streamArn: this.streamArn,
      handler: this.options.handler,
      maxRecordsPerCall: this.settings.maxRecordsPerCall,
      idleDelayMs: this.settings.idleDelayMs,
      retryBackoffMs: this.settings.retryBackoffMs,
      logger: this.logger,
    });
    const ended = consumer
      .run()
      .then((end) => this.afterConsumer(owned, consumer, end))
      .catch((error: unknown) =>
        this.logger.error(`Shard ${taken.shardId}: its reading failed: ${messageOf(error)}`),
      )
      .finally(() => this.owned.delete(taken.leaseKey));
    this.owned.set(taken.leaseKey, { lease: owned, consumer, ended });
  }

  private async afterConsumer(
    owned: OwnedLease,
    consumer: ShardConsumer,
    end: ConsumerEnd,
  ): Promise<void> {
    const { shardId } = owned.lease;
    switch (end) {
      case 'shard-end':
        this.logger.log(`Shard ${shardId} was read to its end.`);
        // Its children can be read now; DescribeStream names them.
        this.shardSyncTask?.trigger();
        this.leaseTask?.trigger();
        return;
      case 'lost':
        this.logger.warn(
          `Lost the lease of shard ${shardId} (${String(owned.lost.reason)}): no longer reading it.`,
        );
        return;
      case 'handoff': {
        const to = consumer.handoffRequestedBy!;
        if (await this.giveUp(owned, () => owned.transfer(to))) {
          this.logger.log(`Handed shard ${shardId} over to ${to}.`);
        }
        return;
      }
      case 'stopped':
        await this.giveUp(owned, () => owned.release());
        return;
    }
  }

  /** A failed release or transfer costs only time: the lease expires after the failover time. */
  private async giveUp(owned: OwnedLease, write: () => Promise<boolean>): Promise<boolean> {
    try {
      return await write();
    } catch (error) {
      this.logger.warn(
        `Could not give up the lease of shard ${owned.lease.shardId}; another worker will take it once it ` +
          `expires: ${messageOf(error)}`,
      );
      return false;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
