/** Base class of every error the event store throws on purpose: catch this to catch them all. */
export class EventStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Another writer appended to the stream after `expectedVersion` was read. Nothing of this save was written;
 * reload the aggregate and decide again.
 */
export class ConcurrencyError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    /** A version the stream already holds above `expectedVersion`, when DynamoDB returned the conflicting item. */
    readonly foundVersion: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `Stream "${streamId}" is no longer at version ${expectedVersion}` +
        (foundVersion === undefined ? '' : `: version ${foundVersion} already exists`) +
        '. Nothing was written; reload and retry.',
      options,
    );
  }
}

export type AppendLimit = 'events per save' | 'bytes per save' | 'bytes per event';

/** A save would exceed one of DynamoDB's request limits. Checked before any request: nothing was written. */
export class EventStoreLimitError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly limit: AppendLimit,
    readonly maximum: number,
    readonly found: number,
  ) {
    super(
      `Cannot append to stream "${streamId}": ${found} ${limit} exceeds DynamoDB's limit of ${maximum}. ` +
        'Nothing was written.',
    );
  }
}

/** An event payload or metadata that cannot be stored as JSON without losing data. Nothing was written. */
export class EventSerializationError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly eventType: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot store event "${eventType}" in stream "${streamId}": ${reason}. Nothing was written.`,
      options,
    );
  }
}

/** A stream id that DynamoDB cannot use as a partition key. Nothing was written. */
export class InvalidStreamIdError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly reason: string,
  ) {
    super(`Invalid stream id "${streamId}": ${reason}.`);
  }
}

/** An append the store refuses before sending it: no events, or an impossible expected version. */
export class InvalidAppendError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly reason: string,
  ) {
    super(`Cannot append to stream "${streamId}": ${reason}. Nothing was written.`);
  }
}
