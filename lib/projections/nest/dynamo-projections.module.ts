import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { projectionsFeature } from './projections-feature.js';

/**
 * Projections for an application: `DynamoProjectionsModule.forRoot()` / `forRootAsync()` once in the root module
 * (after DynamoEventStoreModule), then `forFeature([...])` in each module that declares @Projection() classes. In
 * tests, InMemoryProjectionsModule.forRoot() takes forRoot()'s place and forFeature() works unchanged.
 */
@Module({})
export class DynamoProjectionsModule {
  static forFeature(projections: readonly Type<object>[]): DynamicModule {
    return projectionsFeature(DynamoProjectionsModule, projections);
  }
}
