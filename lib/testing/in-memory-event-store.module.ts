import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import {
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from '../in-memory/in-memory-event-store.js';
import { COMMAND_METADATA_ENABLED } from '../nest/command-metadata.js';
import {
  EVENT_STORE_CORE_EXPORTS,
  EVENT_STORE_CORE_PROVIDERS,
} from '../nest/event-store-core.providers.js';
import {
  DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS,
  IDEMPOTENCY_KEY_TTL_SECONDS,
} from '../nest/unit-of-work.js';
import { EVENT_STORE } from '../nest/event-store.token.js';
import { OPEN_TELEMETRY_ENABLED } from '../nest/tracing.providers.js';

export interface InMemoryEventStoreModuleOptions extends InMemoryEventStoreOptions {
  /** The store to provide; a new one by default. Pass one to keep events across applications in a test. */
  readonly store?: InMemoryEventStore;
  /** As DynamoEventStoreModule's: commands run in metadata scopes. Default true. */
  readonly commandMetadata?: boolean;
  /** As DynamoEventStoreModule's: how long a command's idempotency key holds. Default 24 hours. */
  readonly idempotencyKeyTtlSeconds?: number;
  /** As DynamoEventStoreModule's: spans with OpenTelemetry when @opentelemetry/api is installed. Default true. */
  readonly openTelemetry?: boolean;
}

/**
 * The event store in memory, in place of DynamoEventStoreModule.forRoot(): `forFeature()` and
 * `@InjectAggregateRepository` work unchanged on it. Provides EVENT_STORE and InMemoryEventStore.
 */
@Module({})
export class InMemoryEventStoreModule {
  static forRoot(options: InMemoryEventStoreModuleOptions = {}): DynamicModule {
    const store = options.store ?? new InMemoryEventStore(options);
    return {
      module: InMemoryEventStoreModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: InMemoryEventStore, useValue: store },
        { provide: EVENT_STORE, useExisting: InMemoryEventStore },
        { provide: COMMAND_METADATA_ENABLED, useValue: options.commandMetadata !== false },
        { provide: OPEN_TELEMETRY_ENABLED, useValue: options.openTelemetry !== false },
        {
          provide: IDEMPOTENCY_KEY_TTL_SECONDS,
          useValue: options.idempotencyKeyTtlSeconds ?? DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS,
        },
        ...EVENT_STORE_CORE_PROVIDERS,
      ],
      exports: [InMemoryEventStore, ...EVENT_STORE_CORE_EXPORTS],
    };
  }
}
