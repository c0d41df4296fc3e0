// The `nestjs-dynamo-es/core` entry: the EventStore contract, both stores, the table and client helpers and the
// tracing seam, without Nest. It loads no @nestjs/* package (nor rxjs's index), so that a Lambda function or a script
// that only appends and reads imports in about a third of the main entry's time, where Nest is not even installed.
// The main entry re-exports all of it beside the Nest layer: one set of classes.
export * from './core/index.js';
export { type BackoffOptions, DEFAULT_BACKOFF } from './core/retry-policy.js';
export * from './dynamodb/index.js';
export {
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from './in-memory/in-memory-event-store.js';
export * from './telemetry/index.js';
