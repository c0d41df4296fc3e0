import { Inject } from '@nestjs/common';

/** The injection token of the application's EventStore: the DynamoDB store, or the in-memory one in tests. */
export const EVENT_STORE = Symbol('EventStore');

/** Injects the application's EventStore (declare the parameter as `EventStore`). */
export function InjectEventStore(): PropertyDecorator & ParameterDecorator {
  return Inject(EVENT_STORE);
}
