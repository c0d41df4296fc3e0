import { EventStoreError } from '../core/errors.js';

/** The stream holds an event whose type no registered event class answers to. */
export class UnknownEventTypeError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly eventType: string,
    readonly version: number,
  ) {
    super(
      `Stream "${streamId}" holds event type "${eventType}" at version ${version}, ` +
        'but no event class of that name is registered for this aggregate in forFeature().',
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
