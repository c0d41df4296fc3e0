import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  Global,
  Inject,
  Module,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DynamoEventStore } from '../core/event-store.js';
import { trackCommandMetadata } from './command-metadata.js';
import { createDynamoDBClient } from './dynamodb-client.factory.js';
import type { DynamoEventStoreModuleOptions } from './dynamo-event-store-options.js';
import {
  ConfigurableDynamoEventStoreModule,
  DYNAMO_EVENT_STORE_OPTIONS,
} from './dynamo-event-store.module-definition.js';

const CLIENT_HANDLE = Symbol('DynamoEventStoreClientHandle');

interface ClientHandle {
  readonly client: DynamoDBClient;
  /** True when the module created the client and so must destroy it. */
  readonly owned: boolean;
}

/** Owns the DynamoDB client and the store; global so that forFeature() repositories can reach them. */
@Global()
@Module({
  providers: [
    {
      provide: CLIENT_HANDLE,
      useFactory: (options: DynamoEventStoreModuleOptions): ClientHandle =>
        options.client
          ? { client: options.client, owned: false }
          : { client: createDynamoDBClient(options), owned: true },
      inject: [DYNAMO_EVENT_STORE_OPTIONS],
    },
    {
      provide: DynamoEventStore,
      useFactory: (options: DynamoEventStoreModuleOptions, { client }: ClientHandle) =>
        new DynamoEventStore({
          client,
          tableName: options.tableName,
          transactionConflictRetries: options.transactionConflictRetries,
        }),
      inject: [DYNAMO_EVENT_STORE_OPTIONS, CLIENT_HANDLE],
    },
  ],
  exports: [DynamoEventStore],
})
export class DynamoEventStoreCoreModule
  extends ConfigurableDynamoEventStoreModule
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(
    @Inject(CLIENT_HANDLE) private readonly clientHandle: ClientHandle,
    @Inject(DYNAMO_EVENT_STORE_OPTIONS) private readonly options: DynamoEventStoreModuleOptions,
    @Optional() private readonly commandBus?: CommandBus,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (this.commandBus && this.options.commandMetadata !== false) {
      trackCommandMetadata(this.commandBus);
    }
  }

  onApplicationShutdown(): void {
    if (this.clientHandle.owned) this.clientHandle.client.destroy();
  }
}
