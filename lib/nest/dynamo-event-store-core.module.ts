import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DynamoEventStore } from '../core/event-store.js';
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
          : { client: new DynamoDBClient(options.clientConfig ?? {}), owned: true },
      inject: [DYNAMO_EVENT_STORE_OPTIONS],
    },
    {
      provide: DynamoEventStore,
      useFactory: (options: DynamoEventStoreModuleOptions, { client }: ClientHandle) =>
        new DynamoEventStore({ client, tableName: options.tableName }),
      inject: [DYNAMO_EVENT_STORE_OPTIONS, CLIENT_HANDLE],
    },
  ],
  exports: [DynamoEventStore],
})
export class DynamoEventStoreCoreModule
  extends ConfigurableDynamoEventStoreModule
  implements OnApplicationShutdown
{
  constructor(@Inject(CLIENT_HANDLE) private readonly clientHandle: ClientHandle) {
    super();
  }

  onApplicationShutdown(): void {
    if (this.clientHandle.owned) this.clientHandle.client.destroy();
  }
}
