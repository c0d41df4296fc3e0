import { type DynamicModule, Module } from '@nestjs/common';
import type { AggregateFeature } from './aggregate-feature.js';
import { createAggregateRepositoryProviders } from './aggregate-repository.providers.js';
import { DynamoEventStoreCoreModule } from './dynamo-event-store-core.module.js';
import { ASYNC_OPTIONS_TYPE, OPTIONS_TYPE } from './dynamo-event-store.module-definition.js';

/**
 * The event store for an application: `forRoot` / `forRootAsync` once in the root module, then `forFeature` in each
 * module whose command handlers inject an aggregate repository.
 */
@Module({})
export class DynamoEventStoreModule {
  static forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return {
      module: DynamoEventStoreModule,
      imports: [DynamoEventStoreCoreModule.forRoot(options)],
    };
  }

  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return {
      module: DynamoEventStoreModule,
      imports: [DynamoEventStoreCoreModule.forRootAsync(options)],
    };
  }

  static forFeature(features: readonly AggregateFeature[]): DynamicModule {
    const providers = createAggregateRepositoryProviders(features);
    return { module: DynamoEventStoreModule, providers, exports: providers };
  }
}
