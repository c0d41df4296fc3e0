import { Inject, type Type } from '@nestjs/common';

/** The injection token of the application's ViewStore: DynamoDB's, or the in-memory one in tests. */
export const VIEW_STORE = Symbol('ViewStore');

/** How the application's projections run (handler retries, concurrency, reactions). */
export const PROJECTION_SETTINGS = Symbol('ProjectionSettings');

const viewRepositoryTokens = new WeakMap<Type<object>, symbol>();

/** The injection token of the ViewRepository of a projection's view. */
export function getViewRepositoryToken(projection: Type<object>): symbol {
  let token = viewRepositoryTokens.get(projection);
  if (!token) {
    token = Symbol(`ViewRepository<${projection.name}>`);
    viewRepositoryTokens.set(projection, token);
  }
  return token;
}

/** Injects the ViewRepository of the view a projection (registered with forFeature) keeps. */
export function InjectViewRepository(
  projection: Type<object>,
): PropertyDecorator & ParameterDecorator {
  return Inject(getViewRepositoryToken(projection));
}
