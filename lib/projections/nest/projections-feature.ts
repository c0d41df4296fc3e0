import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { ViewRepository } from '../view-repository.js';
import type { ViewStore } from '../views/view-store.js';
import { ProjectionCatalog } from './projection-catalog.js';
import { projectionNameOf } from './projection.decorator.js';
import { Projections } from './projections.service.js';
import { getViewRepositoryToken, VIEW_STORE } from './projection-tokens.js';

let features = 0;

/**
 * The providers of forFeature(): the projection classes, their registration in the application's catalog, and a
 * ViewRepository for each one's view.
 */
export function projectionsFeature(
  module: Type<object>,
  projections: readonly Type<object>[],
): DynamicModule {
  const registration: Provider = {
    provide: Symbol(`Projections of feature ${++features}`),
    useFactory: (catalog: ProjectionCatalog, ...instances: object[]) => catalog.add(instances),
    inject: [ProjectionCatalog, ...projections],
  };
  const repositories: Provider[] = projections.map((projection) => ({
    provide: getViewRepositoryToken(projection),
    useFactory: (views: ViewStore, running: Projections) => {
      const name = projectionNameOf(projection);
      return new ViewRepository(views, () => running.servedView(name));
    },
    inject: [VIEW_STORE, Projections],
  }));
  return {
    module,
    providers: [...projections, registration, ...repositories],
    exports: [
      ...projections,
      ...repositories.map((provider) => (provider as { provide: symbol }).provide),
    ],
  };
}
