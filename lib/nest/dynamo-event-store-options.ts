import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClientSettings } from '../dynamodb/client.js';
import type { PayloadCompression } from '../dynamodb/items/json-attribute.js';

export interface DynamoEventStoreModuleOptions extends DynamoDBClientSettings {
  /** The table that holds the events (see createEventStoreTable or the CLI). */
  readonly tableName: string;
  /**
   * A client to use as is; the timeout, attempt and `clientConfig` settings are then ignored. The module never
   * destroys a client it was given. When absent, the module creates one and destroys it on application shutdown.
   */
  readonly client?: DynamoDBClient;
  /**
   * Run each command sent on a CommandBus in a metadata scope, so that the events it saves carry the command's id
   * as causation id and the request's correlation id. Default true.
   */
  readonly commandMetadata?: boolean;
  /**
   * How many times a save cancelled by another transaction on the same items (TransactionConflict) is tried again
   * before it fails with ConcurrencyError. Default 3.
   */
  readonly transactionConflictRetries?: number;
  /**
   * Write every save as a TransactWriteItems, a single event included: for a table whose policy allows writes only
   * inside transactions (deploy/event-store-transactions-only-iam-policy.json). A single-event save then costs 2 WCU
   * per KB instead of 1. Default false.
   */
  readonly transactionsOnly?: boolean;
  /**
   * How long a command's idempotency key holds (UnitOfWork.run): a repeat within it gets the first answer and
   * writes nothing. DynamoDB's Time to Live deletes the key some time after. Default 24 hours.
   */
  readonly idempotencyKeyTtlSeconds?: number;
  /**
   * Check the events table when the application starts (one DescribeTable, nothing written): that the client has a
   * region and credentials DynamoDB accepts, and that the table exists, serves requests (ACTIVE or UPDATING) and
   * has the event store's key schema. A failure fails `app.init()` / `app.listen()` with a TableCheckError that
   * says how to fix it. Default true; DynamoProjectionsModule checks its tables by the same setting unless told
   * otherwise. Turn it off for an application whose tables are created after it starts.
   */
  readonly checkTablesOnStartup?: boolean;
  /**
   * Trace loads, saves, history reads and projection batches with OpenTelemetry, and store the trace context in
   * each new event's metadata, when @opentelemetry/api is installed (the spans go to the tracer provider the
   * application registers). Without the package nothing is loaded. Default true.
   */
  readonly openTelemetry?: boolean;
  /**
   * Payloads and snapshot states whose JSON is over `thresholdBytes` (default 1024) are stored compressed
   * (`algorithm` deflate, the default, or brotli), in a binary attribute that every reader of this package decodes:
   * fewer capacity units, and larger events fit in an item. `false`: never compress. Default on.
   */
  readonly compression?: PayloadCompression | false;
}

/** For forRootAsync({ useClass }) and ({ useExisting }). */
export interface DynamoEventStoreOptionsFactory {
  createDynamoEventStoreOptions():
    DynamoEventStoreModuleOptions | Promise<DynamoEventStoreModuleOptions>;
}
