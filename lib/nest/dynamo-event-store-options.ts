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
  /**
   * How long a request may take before the SDK abandons it and tries again, in milliseconds. Default 3000: the SDK
   * itself waits forever. For a client the module creates.
   */
  readonly requestTimeoutMs?: number;
  /** How long to wait for a connection, in milliseconds. Default 1000. For a client the module creates. */
  readonly connectionTimeoutMs?: number;
  /**
   * Attempts per request, the first included, when DynamoDB throttles, fails with a 5xx, times out or the connection
   * is lost. Default 3, the SDK's. For a client the module creates.
   */
  readonly maxAttempts?: number;
  /** Milliseconds to wait before retry number `attempt` (1, 2, …). Default: the SDK's backoff with jitter. */
  readonly retryBackoff?: (attempt: number) => number;
  /**
   * How many times a save cancelled by another transaction on the same items (TransactionConflict) is tried again
   * before it fails with ConcurrencyError. Default 3.
   */
  readonly transactionConflictRetries?: number;
}

/** For forRootAsync({ useClass }) and ({ useExisting }). */
export interface DynamoEventStoreOptionsFactory {
  createDynamoEventStoreOptions():
    DynamoEventStoreModuleOptions | Promise<DynamoEventStoreModuleOptions>;
}
