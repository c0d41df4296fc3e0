import type { Provider } from '@nestjs/common';
import { CommandMetadataTracker } from './command-metadata.js';
import { EVENT_STORE } from './event-store.token.js';
import { EventTypeRegistry } from './event-type-registry.js';
import { TRACING, TRACING_PROVIDER } from './tracing.providers.js';
import { UnitOfWork } from './unit-of-work.js';

/**
 * What every root event-store module provides besides the store itself: the application's event type registry and
 * the command metadata scopes, the UnitOfWork, the Tracing. Each root module adds the store under EVENT_STORE,
 * COMMAND_METADATA_ENABLED, OPEN_TELEMETRY_ENABLED and IDEMPOTENCY_KEY_TTL_SECONDS.
 */
export const EVENT_STORE_CORE_PROVIDERS: Provider[] = [
  { provide: EventTypeRegistry, useFactory: () => new EventTypeRegistry() },
  CommandMetadataTracker,
  UnitOfWork,
  TRACING_PROVIDER,
];

/** What a root event-store module exports to every module of the application. */
export const EVENT_STORE_CORE_EXPORTS = [EVENT_STORE, EventTypeRegistry, UnitOfWork, TRACING];
