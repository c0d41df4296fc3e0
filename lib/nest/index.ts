export type { AggregateFeature } from './aggregate-feature.js';
export { AggregateRepository, type SaveOptions } from './aggregate-repository.js';
export { getAggregateRepositoryToken } from './aggregate-repository.token.js';
export type {
  DynamoEventStoreModuleOptions,
  DynamoEventStoreOptionsFactory,
} from './dynamo-event-store-options.js';
export { DynamoEventStoreModule } from './dynamo-event-store.module.js';
export * from './errors.js';
export type { EventEnvelope } from './event-envelope.js';
export { InjectAggregateRepository } from './inject-aggregate-repository.decorator.js';
