import type {
  DynamoDBStreamsClient,
  DynamoDBStreamsClientConfig,
} from '@aws-sdk/client-dynamodb-streams';
import type { ProjectionSettings } from './projection-settings.js';

export interface DynamoProjectionsModuleOptions extends ProjectionSettings {
  /** The table of the views' documents and parked events (createViewTable, or the CLI). */
  readonly viewsTable: string;
  /**
   * The table of the stream runner's leases, one per shard (createLeaseTable, or the CLI). Required with the runner;
   * an instance with `runner: false` (a Lambda function, a rebuild) needs none.
   */
  readonly leaseTable?: string;
  /**
   * Whether this instance reads the table's stream and applies it to the projections. Default true. Instances that
   * only read views set it to false; as many instances as like may run it, sharing the shards.
   */
  readonly runner?: boolean;
  /** A Streams client to use as is (never destroyed by the module). Default: one made like the DynamoDB client. */
  readonly streamsClient?: DynamoDBStreamsClient;
  /** Settings for the Streams client the module creates, over those it takes from DynamoEventStoreModule's. */
  readonly streamsClientConfig?: DynamoDBStreamsClientConfig;
  /** Unique per instance. Default: hostname-pid-random. */
  readonly workerId?: string;
  /** How long a lease's owner may stop renewing before another instance takes its shard. Default 10 000 ms. */
  readonly failoverTimeMs?: number;
  /** Default failoverTimeMs / 3. */
  readonly renewIntervalMs?: number;
  /** How often the shard list is read again, for new shards. Default 60 000 ms. */
  readonly shardSyncIntervalMs?: number;
  /** The wait after a read of the stream that found nothing new. Default 1 000 ms. */
  readonly idleDelayMs?: number;
  /**
   * Check the views table, and the lease table where the stream runner runs, when the application starts (one
   * DescribeTable each, nothing written), as DynamoEventStoreModule checks the events table. Default: the
   * `checkTablesOnStartup` of DynamoEventStoreModule (true unless set).
   */
  readonly checkTablesOnStartup?: boolean;
}

/** For forRootAsync({ useClass }) and ({ useExisting }). */
export interface DynamoProjectionsOptionsFactory {
  createDynamoProjectionsOptions():
    DynamoProjectionsModuleOptions | Promise<DynamoProjectionsModuleOptions>;
}
