export * from './core/index.js';
export * from './dynamodb/index.js';
export {
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from './in-memory/in-memory-event-store.js';
export * from './nest/index.js';
export { type BackoffOptions, DEFAULT_BACKOFF } from './core/retry-policy.js';
export * from './telemetry/index.js';
