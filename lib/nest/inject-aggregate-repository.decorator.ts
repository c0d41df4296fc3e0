import { Inject, type Type } from '@nestjs/common';
import type { AggregateRoot } from '@nestjs/cqrs';
import { getAggregateRepositoryToken } from './aggregate-repository.token.js';

/** Injects the AggregateRepository registered for `aggregate` with DynamoEventStoreModule.forFeature(). */
export function InjectAggregateRepository(
  aggregate: Type<AggregateRoot>,
): PropertyDecorator & ParameterDecorator {
  return Inject(getAggregateRepositoryToken(aggregate));
}
