import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { DynamoProjectionsCoreModule } from './dynamo-projections-core.module.js';
import { ASYNC_OPTIONS_TYPE, OPTIONS_TYPE } from './dynamo-projections.module-definition.js';
import { projectionsFeature } from './projections-feature.js';

/**
 * Projections for an application: `DynamoProjectionsModule.forRoot()` / `forRootAsync()` once in the root module,
 * beside DynamoEventStoreModule, then `forFeature([...])` in each module that declares @Projection() classes. In
 * tests, InMemoryProjectionsModule.forRoot() takes forRoot()'s place and forFeature() works unchanged.
 */
@Module({})
export class DynamoProjectionsModule {
  static forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return {
      module: DynamoProjectionsModule,
      imports: [DynamoProjectionsCoreModule.forRoot(options)],
    };
  }

  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return {
      module: DynamoProjectionsModule,
      imports: [DynamoProjectionsCoreModule.forRootAsync(options)],
    };
  }

  static forFeature(projections: readonly Type<object>[]): DynamicModule {
    return projectionsFeature(DynamoProjectionsModule, projections);
  }
}
