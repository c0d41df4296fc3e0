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
