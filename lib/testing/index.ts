export {
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from '../in-memory/in-memory-event-store.js';
export {
  InMemoryEventStoreModule,
  type InMemoryEventStoreModuleOptions,
} from './in-memory-event-store.module.js';
export {
  type AggregateAction,
  AggregateGiven,
  aggregateScenario,
  AggregateWhen,
} from './aggregate-scenario.js';
export {
  CommandGiven,
  commandScenario,
  CommandWhen,
  type ScenarioApplication,
} from './command-scenario.js';
export type { ExpectedError } from './scenario-assertions.js';
export {
  type LocalDynamoDB,
  startLocalDynamoDB,
  type StartLocalDynamoDBOptions,
} from './local-dynamodb.js';
export { LocalDynamoDBStartError, LocalDynamoDBUnavailableError } from './local-dynamodb-errors.js';
export { InMemoryProjectionRunner } from './in-memory-projection-runner.js';
export {
  InMemoryProjectionsModule,
  type InMemoryProjectionsModuleOptions,
} from './in-memory-projections.module.js';
