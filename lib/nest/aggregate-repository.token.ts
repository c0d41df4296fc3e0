import type { Type } from '@nestjs/common';
import type { AggregateRoot } from '@nestjs/cqrs';

const tokens = new WeakMap<Type<AggregateRoot>, symbol>();

/** The injection token of an aggregate's repository, for @Inject() or moduleRef.get(). */
export function getAggregateRepositoryToken(aggregate: Type<AggregateRoot>): symbol {
  let token = tokens.get(aggregate);
  if (!token) {
    token = Symbol(`AggregateRepository<${aggregate.name}>`);
    tokens.set(aggregate, token);
  }
  return token;
}
