import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { StreamRunnerOptionsError } from './stream-errors.js';
import type { ShardRecordsHandler, StreamRunnerLogger } from './stream-records.js';

export interface StreamRunnerOptions {
  /** For the lease table and DescribeTable. Its retries are the runner's retries of a lease write. */
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  /** Its LatestStreamArn is read with DescribeTable. */
  readonly eventsTable: string;
  /** Create it with createLeaseTable. One lease table per application (per set of projections). */
  readonly leaseTable: string;
  readonly handler: ShardRecordsHandler;
  /** Unique per running instance. Default: hostname-pid-random. */
  readonly workerId?: string;
  /** How long a lease's counter must stand still before another worker takes it. Default 10_000 (KCL's). */
  readonly failoverTimeMs?: number;
  /** How often the owner renews its leases, and looks for leases to take. Default failoverTimeMs / 3. */
  readonly renewIntervalMs?: number;
  /** How often DescribeStream is read again to find new shards. Default 60_000. */
  readonly shardSyncIntervalMs?: number;
  /** The wait after an empty GetRecords. Default 1_000. */
  readonly idleDelayMs?: number;
  /** GetRecords' Limit. Default 1_000, the most AWS allows. */
  readonly maxRecordsPerCall?: number;
  /**
   * Milliseconds before retry number `attempt` (1, 2, …) of a batch whose handler threw, or of a read that failed
   * after the SDK's own retries. Default 100 ms doubling up to 30 s. A batch is retried for as long as it fails:
   * one poison record holds its shard back (as a Lambda trigger does by default), and the log says so.
   */
  readonly retryBackoffMs?: (attempt: number) => number;
  /** Default: the console. Nest's Logger fits. */
  readonly logger?: StreamRunnerLogger;
}

/** The options with their defaults, checked. */
export interface StreamRunnerSettings {
  readonly workerId: string;
  readonly failoverTimeMs: number;
  readonly renewIntervalMs: number;
  readonly shardSyncIntervalMs: number;
  readonly idleDelayMs: number;
  readonly maxRecordsPerCall: number;
  readonly retryBackoffMs: (attempt: number) => number;
  readonly logger: StreamRunnerLogger;
}

/** @throws StreamRunnerOptionsError for times or limits that cannot work. */
export function streamRunnerSettings(options: StreamRunnerOptions): StreamRunnerSettings {
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const failoverTimeMs = options.failoverTimeMs ?? 10_000;
  const settings = {
    workerId,
    failoverTimeMs,
    renewIntervalMs: options.renewIntervalMs ?? Math.floor(failoverTimeMs / 3),
    shardSyncIntervalMs: options.shardSyncIntervalMs ?? 60_000,
    idleDelayMs: options.idleDelayMs ?? 1_000,
    maxRecordsPerCall: options.maxRecordsPerCall ?? 1_000,
    retryBackoffMs: options.retryBackoffMs ?? defaultRetryBackoffMs,
    logger: options.logger ?? consoleLogger(workerId),
  };
  assertValidSettings(settings);
  return settings;
}

function assertValidSettings(settings: StreamRunnerSettings): void {
  const { failoverTimeMs, renewIntervalMs, shardSyncIntervalMs, idleDelayMs, maxRecordsPerCall } =
    settings;
  const positive = {
    failoverTimeMs,
    renewIntervalMs,
    shardSyncIntervalMs,
    idleDelayMs,
    maxRecordsPerCall,
  };
  for (const [name, value] of Object.entries(positive)) {
    if (!(value > 0)) throw new StreamRunnerOptionsError(`${name} must be above 0, not ${value}`);
  }
  if (renewIntervalMs >= failoverTimeMs) {
    throw new StreamRunnerOptionsError(
      `renewIntervalMs (${renewIntervalMs}) must be shorter than failoverTimeMs (${failoverTimeMs}), or ` +
        'leases expire between renewals',
    );
  }
  if (!Number.isInteger(maxRecordsPerCall) || maxRecordsPerCall > 1_000) {
    throw new StreamRunnerOptionsError(
      `maxRecordsPerCall must be an integer from 1 to 1000 (GetRecords' limit), not ${maxRecordsPerCall}`,
    );
  }
}

function defaultRetryBackoffMs(attempt: number): number {
  return Math.min(30_000, 100 * 2 ** (attempt - 1));
}

function consoleLogger(workerId: string): StreamRunnerLogger {
  const prefix = `[StreamRunner ${workerId}]`;
  return {
    log: (message) => console.log(prefix, message),
    warn: (message) => console.warn(prefix, message),
    error: (message) => console.error(prefix, message),
  };
}
