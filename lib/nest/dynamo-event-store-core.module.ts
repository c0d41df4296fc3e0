import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createDynamoDBClient } from '../dynamodb/client.js';
import { DynamoEventStore } from '../dynamodb/dynamodb-event-store.js';
import { checkTables, eventsTableChecked } from '../dynamodb/table-check.js';
import type { Tracing } from '../telemetry/tracing.js';
import { COMMAND_METADATA_ENABLED } from './command-metadata.js';
import type { DynamoEventStoreModuleOptions } from './dynamo-event-store-options.js';
import {
  ConfigurableDynamoEventStoreModule,
  DYNAMO_EVENT_STORE_OPTIONS,
} from './dynamo-event-store.module-definition.js';
import {
  EVENT_STORE_CORE_EXPORTS,
  EVENT_STORE_CORE_PROVIDERS,
} from './event-store-core.providers.js';
import { DYNAMODB_CLIENT, EVENT_STORE } from './event-store.token.js';
import { OPEN_TELEMETRY_ENABLED, TRACING } from './tracing.providers.js';
import {
  DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS,
  IDEMPOTENCY_KEY_TTL_SECONDS,
} from './unit-of-work.js';

const CLIENT_HANDLE = Symbol('DynamoEventStoreClientHandle');

interface ClientHandle {
  /** The client other stores and the application may use (DYNAMODB_CLIENT). */
  readonly client: DynamoDBClient;
  /** The client the event store sends with. */
  readonly storeClient: DynamoDBClient;
  /** True when the module created the clients and so must destroy them. */
  readonly owned: boolean;
}

/**
 * The clients of a module that makes its own: the store's caches its handler stacks (cacheMiddleware: a command's
 * requests take a quarter less CPU, npm run bench section 2; the store's write watch is made for it, and it sends
 * no request with options, which would empty the cache). A DocumentClient refuses such a client,
 * since it adds middleware to each command, so the client shared with other stores (the projections' views, an
 * application's own) does not cache; it sends through the same connections.
 */
function createClients(options: DynamoEventStoreModuleOptions): ClientHandle {
  const storeClient = createDynamoDBClient({
    ...options,
    clientConfig: { cacheMiddleware: true, ...options.clientConfig },
  });
  const client = createDynamoDBClient({
    ...options,
    clientConfig: { ...options.clientConfig, requestHandler: storeClient.config.requestHandler },
  });
  return { client, storeClient, owned: true };
}

/**
 * Owns the DynamoDB client and the store, provided as EVENT_STORE (and as DynamoEventStore, for what only DynamoDB
 * has); global so that forFeature() repositories can reach them.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: CLIENT_HANDLE,
      useFactory: (options: DynamoEventStoreModuleOptions): ClientHandle =>
        options.client
          ? { client: options.client, storeClient: options.client, owned: false }
          : createClients(options),
      inject: [DYNAMO_EVENT_STORE_OPTIONS],
    },
    {
      provide: DynamoEventStore,
      useFactory: (
        options: DynamoEventStoreModuleOptions,
        { storeClient }: ClientHandle,
        tracing: Tracing,
      ) =>
        new DynamoEventStore({
          client: storeClient,
          tableName: options.tableName,
          transactionConflictRetries: options.transactionConflictRetries,
          transactionsOnly: options.transactionsOnly,
          tracing,
          compression: options.compression,
        }),
      inject: [DYNAMO_EVENT_STORE_OPTIONS, CLIENT_HANDLE, TRACING],
    },
    { provide: EVENT_STORE, useExisting: DynamoEventStore },
    {
      provide: DYNAMODB_CLIENT,
      useFactory: ({ client }: ClientHandle) => client,
      inject: [CLIENT_HANDLE],
    },
    {
      provide: COMMAND_METADATA_ENABLED,
      useFactory: (options: DynamoEventStoreModuleOptions) => options.commandMetadata !== false,
      inject: [DYNAMO_EVENT_STORE_OPTIONS],
    },
    {
      provide: OPEN_TELEMETRY_ENABLED,
      useFactory: (options: DynamoEventStoreModuleOptions) => options.openTelemetry !== false,
      inject: [DYNAMO_EVENT_STORE_OPTIONS],
    },
    {
      provide: IDEMPOTENCY_KEY_TTL_SECONDS,
      useFactory: (options: DynamoEventStoreModuleOptions) =>
        options.idempotencyKeyTtlSeconds ?? DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS,
      inject: [DYNAMO_EVENT_STORE_OPTIONS],
    },
    ...EVENT_STORE_CORE_PROVIDERS,
  ],
  exports: [
    DynamoEventStore,
    DYNAMODB_CLIENT,
    DYNAMO_EVENT_STORE_OPTIONS,
    ...EVENT_STORE_CORE_EXPORTS,
  ],
})
export class DynamoEventStoreCoreModule
  extends ConfigurableDynamoEventStoreModule
  implements OnModuleInit, OnApplicationShutdown
{
  constructor(
    @Inject(CLIENT_HANDLE) private readonly clientHandle: ClientHandle,
    @Inject(DYNAMO_EVENT_STORE_OPTIONS) private readonly options: DynamoEventStoreModuleOptions,
  ) {
    super();
  }

  /**
   * The startup check of the events table. In onModuleInit: `app.init()`, `app.listen()` and
   * `NestFactory.createApplicationContext()` run every module's onModuleInit before any onApplicationBootstrap, and
   * a global module's first, so a misconfigured application fails before the stream runner or the application's
   * own bootstrap code sends anything, and before it listens.
   */
  async onModuleInit(): Promise<void> {
    if (this.options.checkTablesOnStartup === false) return;
    const { tableName } = this.options;
    await checkTables(this.clientHandle.client, [eventsTableChecked(tableName)], tableName);
  }

  onApplicationShutdown(): void {
    if (!this.clientHandle.owned) return;
    this.clientHandle.storeClient.destroy();
    this.clientHandle.client.destroy();
  }
}
