import type { Provider } from '@nestjs/common';
import { EventPublisher } from '@nestjs/cqrs';
import type { EventStore } from '../core/event-store.js';
import type { AggregateFeature } from './aggregate-feature.js';
import { AggregateRepository } from './aggregate-repository.js';
import { getAggregateRepositoryToken } from './aggregate-repository.token.js';
import { AggregateConfigurationError } from './errors.js';
import { EVENT_STORE } from './event-store.token.js';
import { EventTypeRegistry } from './event-type-registry.js';
import { TRACING } from './tracing.providers.js';
import type { Tracing } from '../telemetry/tracing.js';

/** One repository per aggregate, on whichever store the root module provides; its events join the registry. */
export function createAggregateRepositoryProviders(
  features: readonly AggregateFeature[],
): Provider[] {
  return features.map((feature) => ({
    provide: getAggregateRepositoryToken(feature.aggregate),
    useFactory: (
      store: EventStore | undefined,
      registry: EventTypeRegistry | undefined,
      publisher: EventPublisher | undefined,
      tracing: Tracing | undefined,
    ) => {
      if (!store || !registry) {
        throw new AggregateConfigurationError(
          `The repository of ${feature.aggregate.name} needs an event store: import ` +
            'DynamoEventStoreModule.forRoot() (or InMemoryEventStoreModule.forRoot() in tests) in your ' +
            'application module.',
        );
      }
      if (!publisher) {
        throw new AggregateConfigurationError(
          `The repository of ${feature.aggregate.name} publishes on the EventBus: ` +
            'import CqrsModule.forRoot() in your application module.',
        );
      }
      return new AggregateRepository(store, registry, publisher, feature, tracing);
    },
    inject: [
      { token: EVENT_STORE, optional: true },
      { token: EventTypeRegistry, optional: true },
      { token: EventPublisher, optional: true },
      { token: TRACING, optional: true },
    ],
  }));
}
