import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

export interface DynamoEventStoreModuleOptions {
  /** The table that holds the events (see createEventStoreTable or the CLI). */
  readonly tableName: string;
  /**
   * A client to use as is. The module never destroys a client it was given. When absent, the module creates one
   * from `clientConfig` and destroys it on application shutdown.
   */
  readonly client?: DynamoDBClient;
  /** Settings for the client the module creates: region, endpoint, credentials, maxAttempts… */
  readonly clientConfig?: DynamoDBClientConfig;
  /**
   * Run each command sent on the CommandBus in a metadata scope, so that the events it saves carry the command's id
   * as causation id and the request's correlation id. Default true.
   */
  readonly commandMetadata?: boolean;
}

/** For forRootAsync({ useClass }) and ({ useExisting }). */
export interface DynamoEventStoreOptionsFactory {
  createDynamoEventStoreOptions():
    DynamoEventStoreModuleOptions | Promise<DynamoEventStoreModuleOptions>;
}
