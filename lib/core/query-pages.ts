import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { WireItem } from './event-item.js';
import { asAccessError } from './failure-kinds.js';

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
    const { Items = [], LastEvaluatedKey } = await sendQuery(
      client,
      { ...input, ExclusiveStartKey: exclusiveStartKey },
      abortSignal,
    );
    exclusiveStartKey = LastEvaluatedKey;
    yield Items;
  } while (exclusiveStartKey);
}

/** One Query, its failure for a missing table or refused credentials turned into the store's typed error. */
export async function sendQuery(
  client: DynamoDBClient,
  input: QueryCommandInput,
  abortSignal?: AbortSignal,
): Promise<QueryCommandOutput> {
  try {
    return await client.send(new QueryCommand(input), { abortSignal });
  } catch (error) {
    throw asAccessError(error, input.TableName ?? '') ?? error;
  }
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
