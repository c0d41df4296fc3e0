export type {
  AggregateFeature,
  EventRegistration,
  EventTypeOptions,
  Upcaster,
} from './aggregate-feature.js';
export {
  AggregateRepository,
  type PreparedSave,
  type SaveOptions,
} from './aggregate-repository.js';
export { getAggregateRepositoryToken } from './aggregate-repository.token.js';
export type {
  DynamoEventStoreModuleOptions,
  DynamoEventStoreOptionsFactory,
} from './dynamo-event-store-options.js';
export { DynamoEventStoreModule } from './dynamo-event-store.module.js';
export * from './errors.js';
export { CORRELATION_ID_HEADER, CorrelationIdMiddleware } from './correlation-id.middleware.js';
export { type EventEnvelope, getEventEnvelope } from './event-envelope.js';
export { EventMetadataContext } from './event-metadata-context.js';
export { DYNAMODB_CLIENT, EVENT_STORE, InjectEventStore } from './event-store.token.js';
export { EventTypeRegistry, type RegisteredEventType } from './event-type-registry.js';
export { InjectAggregateRepository } from './inject-aggregate-repository.decorator.js';
export type { SnapshotCapable, SnapshotDecision, SnapshotOptions } from './snapshot-policy.js';
export {
  type ConflictRetryScope,
  conflictRetryAttempts,
  currentConflictRetry,
  RetryOnConflict,
  retryOnConflict,
  type RetryOnConflictOptions,
} from './retry-on-conflict.js';
export { requestFingerprint } from './request-fingerprint.js';
export {
  DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS,
  UnitOfWork,
  type UnitOfWorkOptions,
  type UnitOfWorkSaves,
} from './unit-of-work.js';
