import { EventStoreError } from '../core/errors.js';

/** The stream holds an event whose type no registered event class answers to. */
export class UnknownEventTypeError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly eventType: string,
    readonly version: number,
    /** The aggregate whose events were looked in; undefined when every registered class was. */
    readonly aggregateType?: string,
  ) {
    super(
      `Stream "${streamId}" holds event type "${eventType}" at version ${version}, but no event class of ` +
        `that name is registered ${aggregateType ? `for aggregate "${aggregateType}" in` : 'in any'} ` +
        'forFeature().',
    );
  }
}

/** The aggregate applied an event whose class is not registered for it. Nothing was written. */
export class UnregisteredEventError extends EventStoreError {
  constructor(
    readonly aggregateType: string,
    readonly eventType: string,
  ) {
    super(
      `Aggregate "${aggregateType}" applied event "${eventType}", which is not among the events registered ` +
        `for it in DynamoEventStoreModule.forFeature(). Add its class there. Nothing was written.`,
    );
  }
}

/** The aggregate cannot be stored as configured, e.g. autoCommit would publish events before they are saved. */
export class AggregateConfigurationError extends EventStoreError {}

/**
 * commit() was called on an aggregate the repository manages while it holds unsaved events: it would publish them
 * before they are stored. Nothing was published.
 */
export class CommitBeforeSaveError extends EventStoreError {
  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly unsavedEvents: number,
  ) {
    super(
      `commit() was called on ${aggregateType} "${aggregateId}" with ${unsavedEvents} unsaved ` +
        `event${unsavedEvents === 1 ? '' : 's'}, which would publish them before they are stored. Call ` +
        "the repository's save() instead: it stores the events, then publishes them. Nothing was published.",
    );
  }
}

/** save() was given an aggregate that this store did not load or create, so its stream position is unknown. */
export class AggregateNotLoadedError extends EventStoreError {
  constructor(readonly aggregateType: string) {
    super(
      `This ${aggregateType} was not obtained from its repository's load(id) or create(id), so the version to ` +
        'append at is unknown. Load it (a new id gives a new aggregate at version 0) before saving.',
    );
  }
}

/** A stored event's schema version that the registered upcasters cannot bring to the current one. */
export class UnsupportedEventVersionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly eventType: string,
    readonly schemaVersion: number,
    readonly reason: string,
  ) {
    super(
      `Stream "${streamId}" holds event "${eventType}" at schema version ${schemaVersion}, which cannot be read: ` +
        `${reason}.`,
    );
  }
}

/**
 * A command came with an idempotency key that a different request used before: the fingerprints differ. Nothing was
 * written. As DynamoDB's IdempotentParameterMismatch: use a new key for a new request.
 */
export class IdempotencyKeyMismatchError extends EventStoreError {
  constructor(
    readonly key: string,
    /** When the request that holds the key was stored. */
    readonly storedAt: Date,
  ) {
    super(
      `Idempotency key "${key}" was used at ${storedAt.toISOString()} for a different request. Nothing was ` +
        'written; send a new request with a new key.',
    );
  }
}
