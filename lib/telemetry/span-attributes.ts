import {
  ConcurrencyError,
  EventSerializationError,
  EventStoreLimitError,
  EventStoreWriteError,
  IdempotencyKeyInUseError,
  InvalidAppendError,
  InvalidReadError,
  InvalidStreamIdError,
} from '../core/errors.js';

/** Every attribute the library's spans carry, named under one prefix of its own. */
export const SPAN_ATTRIBUTES = {
  aggregateType: 'event_store.aggregate.type',
  aggregateId: 'event_store.aggregate.id',
  streamId: 'event_store.stream.id',
  /** A write of several streams at once. */
  streamIds: 'event_store.stream.ids',
  /** The version a save was decided at. */
  expectedVersion: 'event_store.version.expected',
  /** The version loaded, or reached by a save. */
  version: 'event_store.version',
  eventCount: 'event_store.event.count',
  snapshotVersion: 'event_store.snapshot.version',
  snapshotWritten: 'event_store.snapshot.written',
  requests: 'event_store.requests',
  /** As DynamoDB reports it (ReturnConsumedCapacity TOTAL), summed over the operation's requests. */
  consumedCapacity: 'event_store.consumed_capacity_units',
  /** ok, cancelled (unsubscribed before the end), or a failure's OperationOutcome. */
  outcome: 'event_store.outcome',
  /** A UnitOfWork.run repeated with its idempotency key: the stored answer was returned, nothing written. */
  answeredFromIdempotencyKey: 'event_store.idempotency_key.answered',
  projections: 'event_store.projection.names',
  streamCount: 'event_store.stream.count',
  applied: 'event_store.projection.applied',
  redelivered: 'event_store.projection.redelivered',
  filledFromTable: 'event_store.projection.filled_from_table',
  parked: 'event_store.projection.parked',
  viewWrites: 'event_store.projection.view_writes',
} as const;

/**
 * How an operation ended: `ok`; `conflict` (another writer was first, or the idempotency key is held); `unknown`
 * (the write's answer was lost, it may be stored); `rejected` (bad input or over a limit, nothing sent); `error`.
 */
export type OperationOutcome = 'ok' | 'conflict' | 'unknown' | 'rejected' | 'error';

export type FailureOutcome = Exclude<OperationOutcome, 'ok'>;

export function outcomeOf(error: unknown): FailureOutcome {
  if (error instanceof ConcurrencyError || error instanceof IdempotencyKeyInUseError) {
    return 'conflict';
  }
  if (error instanceof EventStoreWriteError) {
    return error.outcome === 'unknown' ? 'unknown' : 'error';
  }
  if (
    error instanceof EventStoreLimitError ||
    error instanceof EventSerializationError ||
    error instanceof InvalidAppendError ||
    error instanceof InvalidReadError ||
    error instanceof InvalidStreamIdError
  ) {
    return 'rejected';
  }
  return 'error';
}
