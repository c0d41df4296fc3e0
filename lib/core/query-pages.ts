import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { WireItem } from './event-item.js';

/**
 * The pages of a Query, each requested once the previous one has been consumed. Items stay in DynamoDB's attribute
 * value form: the store's items are flat, and reading them directly costs a fraction of a generic conversion. A
 * consumer that empties each page (`items.length = 0`) once done lets it be collected while the next one is read:
 * this generator's suspended frame still refers to it.
 */
export async function* queryPages(
  client: DynamoDBClient,
  input: QueryCommandInput,
  abortSignal?: AbortSignal,
): AsyncGenerator<WireItem[]> {
  let exclusiveStartKey: WireItem | undefined;
  do {
    const { Items = [], LastEvaluatedKey } = await client.send(
      new QueryCommand({ ...input, ExclusiveStartKey: exclusiveStartKey }),
      { abortSignal },
    );
    exclusiveStartKey = LastEvaluatedKey;
    yield Items;
  } while (exclusiveStartKey);
}

/** A ProjectionExpression of attribute names, with the names it needs. */
export function projectionOf(attributes: readonly string[]): {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
} {
  return {
    ProjectionExpression: attributes.map((name) => `#${name}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name) => [`#${name}`, name])),
  };
}
