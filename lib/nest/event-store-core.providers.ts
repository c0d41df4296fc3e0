import type { Provider } from '@nestjs/common';
import { CommandMetadataTracker } from './command-metadata.js';
import { EVENT_STORE } from './event-store.token.js';
import { EventTypeRegistry } from './event-type-registry.js';

/**
 * What every root event-store module provides besides the store itself: the application's event type registry and
 * the command metadata scopes. Each root module adds the store under EVENT_STORE and COMMAND_METADATA_ENABLED.
 */
export const EVENT_STORE_CORE_PROVIDERS: Provider[] = [
  { provide: EventTypeRegistry, useFactory: () => new EventTypeRegistry() },
  CommandMetadataTracker,
];

/** What a root event-store module exports to every module of the application. */
export const EVENT_STORE_CORE_EXPORTS = [EVENT_STORE, EventTypeRegistry];
