import { type DynamicModule, Module } from '@nestjs/common';
import type { ProjectionSettings } from '../projections/nest/projection-settings.js';
import { PROJECTION_SETTINGS, VIEW_STORE } from '../projections/nest/projection-tokens.js';
import {
  PROJECTIONS_CORE_EXPORTS,
  PROJECTIONS_CORE_PROVIDERS,
} from '../projections/nest/projections-core.providers.js';
import { InMemoryViewStore } from '../projections/views/in-memory-view-store.js';
import { InMemoryProjectionRunner } from './in-memory-projection-runner.js';

export interface InMemoryProjectionsModuleOptions extends ProjectionSettings {
  /** The view store to provide; a new one by default. */
  readonly views?: InMemoryViewStore;
}

/**
 * Projections on the in-memory stores, in place of DynamoProjectionsModule.forRoot(), with InMemoryEventStoreModule:
 * `DynamoProjectionsModule.forFeature()` and `@InjectViewRepository` work unchanged on it. After a command,
 * `await app.get(InMemoryProjectionRunner).settled()` and the views hold its events.
 */
@Module({})
export class InMemoryProjectionsModule {
  static forRoot(options: InMemoryProjectionsModuleOptions = {}): DynamicModule {
    const { views = new InMemoryViewStore(), ...settings } = options;
    return {
      module: InMemoryProjectionsModule,
      global: true,
      providers: [
        { provide: InMemoryViewStore, useValue: views },
        { provide: VIEW_STORE, useExisting: InMemoryViewStore },
        { provide: PROJECTION_SETTINGS, useValue: settings },
        ...PROJECTIONS_CORE_PROVIDERS,
        InMemoryProjectionRunner,
      ],
      exports: [InMemoryViewStore, InMemoryProjectionRunner, ...PROJECTIONS_CORE_EXPORTS],
    };
  }
}
