import type { Provider } from '@nestjs/common';
import { EventPublisher } from '@nestjs/cqrs';
import { DynamoEventStore } from '../core/event-store.js';
import type { AggregateFeature } from './aggregate-feature.js';
import { AggregateRepository } from './aggregate-repository.js';
import { getAggregateRepositoryToken } from './aggregate-repository.token.js';
import { AggregateConfigurationError } from './errors.js';

export function createAggregateRepositoryProviders(
  features: readonly AggregateFeature[],
): Provider[] {
  return features.map((feature) => ({
    provide: getAggregateRepositoryToken(feature.aggregate),
    useFactory: (store: DynamoEventStore, publisher: EventPublisher | undefined) => {
      if (!publisher) {
        throw new AggregateConfigurationError(
          `The repository of ${feature.aggregate.name} publishes on the EventBus: ` +
            'import CqrsModule.forRoot() in your application module.',
        );
      }
      return new AggregateRepository(store, publisher, feature);
    },
    inject: [DynamoEventStore, { token: EventPublisher, optional: true }],
  }));
}
