import { Inject } from '@nestjs/common';

/** The injection token of the application's EventStore: the DynamoDB store, or the in-memory one in tests. */
export const EVENT_STORE = Symbol('EventStore');

/**
 * The injection token of the DynamoDBClient DynamoEventStoreModule uses (the one it was given, or created): other
 * stores of the application, such as the projections' view store, send their requests with it too.
 */
export const DYNAMODB_CLIENT = Symbol('DynamoDBClient');

/** Injects the application's EventStore (declare the parameter as `EventStore`). */
export function InjectEventStore(): PropertyDecorator & ParameterDecorator {
  return Inject(EVENT_STORE);
}
