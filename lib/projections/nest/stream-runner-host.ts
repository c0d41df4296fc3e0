import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoEventStore } from '../../dynamodb/dynamodb-event-store.js';
import { AggregateConfigurationError } from '../../nest/errors.js';
import { DYNAMODB_CLIENT } from '../../nest/event-store.token.js';
import { DYNAMO_EVENT_STORE_OPTIONS } from '../../nest/dynamo-event-store.module-definition.js';
import type { DynamoEventStoreModuleOptions } from '../../nest/dynamo-event-store-options.js';
import { storedEventsOf } from '../stream-events.js';
import type { StreamRunner, StreamRunnerStatus } from '../streams/stream-runner.js';
import type { DynamoProjectionsModuleOptions } from './dynamo-projections-options.js';
import { DYNAMO_PROJECTIONS_OPTIONS } from './dynamo-projections.module-definition.js';
import { Projections } from './projections.service.js';

/** Whether an instance runs the stream runner: unless `runner: false` or NESTJS_DYNAMO_ES_RUNNER=false. */
export function runsStreamRunner(options: DynamoProjectionsModuleOptions): boolean {
  return options.runner !== false && process.env.NESTJS_DYNAMO_ES_RUNNER !== 'false';
}

/**
 * Runs the stream runner for the application's lifetime: started once every module is ready, stopped before
 * shutdown (its leases released, so that another instance takes the shards at once). Each batch of records goes to
 * the projections; the checkpoint follows once they hold it.
 */
@Injectable()
export class StreamRunnerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private runner?: StreamRunner;
  private readonly logger = new Logger('StreamRunner');
  private ownedStreamsClient?: DynamoDBStreamsClient;

  constructor(
    @Inject(DYNAMO_PROJECTIONS_OPTIONS) private readonly options: DynamoProjectionsModuleOptions,
    @Inject(DYNAMO_EVENT_STORE_OPTIONS)
    private readonly eventStoreOptions: DynamoEventStoreModuleOptions,
    @Inject(DYNAMODB_CLIENT) private readonly dynamodb: DynamoDBClient,
    private readonly eventStore: DynamoEventStore,
    private readonly projections: Projections,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!runsStreamRunner(this.options)) return;
    const { leaseTable } = this.options;
    if (!leaseTable) {
      throw new AggregateConfigurationError(
        'DynamoProjectionsModule runs the stream runner, which needs a lease table: set `leaseTable` ' +
          '(created with createLeaseTable or the CLI), or `runner: false` for an instance that runs none.',
      );
    }
    // Loaded only where a runner runs: the Streams client is an optional peer, and an instance that only reads views
    // (a Lambda function, a rebuild) need not load it.
    const [{ StreamRunner }, { createDynamoDBStreamsClient }] = await Promise.all([
      import('../streams/stream-runner.js'),
      import('../streams-client.js'),
    ]);
    const streams =
      this.options.streamsClient ??
      (this.ownedStreamsClient = createDynamoDBStreamsClient(
        this.eventStoreOptions,
        this.options.streamsClientConfig,
      ));
    this.runner = new StreamRunner({
      dynamodb: this.dynamodb,
      streams,
      eventsTable: this.eventStore.tableName,
      leaseTable,
      handler: async ({ records }) => {
        const events = storedEventsOf(records, (record, reason) =>
          this.logger.warn(
            `Skipped stream record ${record.dynamodb?.SequenceNumber}: not an event of this store (${reason}).`,
          ),
        );
        await this.projections.apply(events);
      },
      workerId: this.options.workerId,
      failoverTimeMs: this.options.failoverTimeMs,
      renewIntervalMs: this.options.renewIntervalMs,
      shardSyncIntervalMs: this.options.shardSyncIntervalMs,
      idleDelayMs: this.options.idleDelayMs,
      logger: this.logger,
    });
    await this.runner.start();
  }

  /** What the runner owns and where each shard stands; undefined where this instance runs no runner. */
  status(): StreamRunnerStatus | undefined {
    return this.runner?.status();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
  }

  onApplicationShutdown(): void {
    this.ownedStreamsClient?.destroy();
  }
}
