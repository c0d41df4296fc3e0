import { EventStoreError } from '../core/errors.js';

/** The events table does not exist (or is in another region or account than the client's). */
export class TableNotFoundError extends EventStoreError {
  constructor(
    readonly tableName: string,
    options: ErrorOptions,
  ) {
    super(
      `Table "${tableName}" was not found: create it (createEventStoreTable, or the create-tables command) ` +
        "or check the client's region and endpoint. Nothing was written.",
      options,
    );
  }
}

/** DynamoDB refused the client's credentials or their permissions. */
export class AccessDeniedError extends EventStoreError {
  constructor(
    readonly tableName: string,
    readonly reason: string,
    options: ErrorOptions,
  ) {
    super(`Access to table "${tableName}" was refused: ${reason}. Nothing was written.`, options);
  }
}

/** The table exists but its key schema is not the one the store that uses it writes. */
export class EventStoreTableSchemaError extends EventStoreError {
  constructor(
    readonly tableName: string,
    readonly found: string,
    readonly expected: string,
    /** The store the table is for: "the event store", "the view store"… */
    readonly purpose = 'the event store',
  ) {
    super(
      `Table "${tableName}" exists with key schema ${found}; ${purpose} needs ${expected}. ` +
        'Use another table name or recreate the table.',
    );
  }
}

/** Why a table failed the check an application makes of it when it starts. */
export type TableCheckProblem =
  /** The client has no region, which the SDK needs to sign a request, even to a local endpoint. */
  | 'no-region'
  /** The SDK's default chain found no credentials (no variables, profile, or role). */
  | 'no-credentials'
  /**
   * DynamoDB does not accept the credentials: an unknown or expired key, a wrong secret. Also a bare 403 Forbidden
   * (from an emulator that checks credentials, or a proxy), which tells no more.
   */
  | 'credentials-refused'
  /** DynamoDB accepts the credentials, but their policies do not allow dynamodb:DescribeTable on the table. */
  | 'not-allowed'
  /** No connection to the endpoint (ECONNREFUSED, ENOTFOUND, …). */
  | 'unreachable'
  | 'table-missing'
  /** The table exists with another key schema than the one the store that uses it writes. */
  | 'key-schema'
  /** The table is being created or deleted, or cannot be read (its encryption key is inaccessible, …). */
  | 'not-active'
  /** Any other failure of the check's request, after the SDK's retries. */
  | 'check-failed';

/**
 * A table the application needs failed the check made when the application starts (`checkTablesOnStartup`): the
 * message names the table, the endpoint or region, what is wrong and how to fix it. The check only describes the
 * table: nothing was written.
 */
export class TableCheckError extends EventStoreError {
  constructor(
    readonly problem: TableCheckProblem,
    readonly tableName: string,
    /** The endpoint the client was configured with; undefined for AWS's own. */
    readonly endpoint: string | undefined,
    /** The client's region; undefined when it has none. */
    readonly region: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
