import { randomUUID } from 'node:crypto';
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { prepareAppend } from '../../lib/core/append-request.js';
import { encodeAppend } from '../../lib/dynamodb/items/encode-append.js';
import { createEventStoreTable, dynamoDBClientConfig, type NewEvent } from '../../lib/index.js';
import { startLocalDynamoDB } from '../../lib/testing/local-dynamodb.js';

/** Client settings for the endpoint the tests run against (DYNAMODB_ENDPOINT, set by the global setup). */
export function testClientConfig(): DynamoDBClientConfig {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('DYNAMODB_ENDPOINT is not set: run the tests through jest (npm test).');
  return dynamoDBClientConfig({ endpoint });
}

export function testClient(): DynamoDBClient {
  return new DynamoDBClient(testClientConfig());
}

/** A fresh table per test file: moto slows down as a table grows. */
export async function createTestTable(client: DynamoDBClient): Promise<string> {
  const tableName = `events-test-${randomUUID()}`;
  await createEventStoreTable(client, tableName);
  return tableName;
}

export interface IsolatedEndpoint {
  readonly clientConfig: DynamoDBClientConfig;
  stop(): Promise<void>;
}

/**
 * An endpoint for a test file whose large tables would keep moto busy for long, or whose request timeouts must not
 * fire because another file keeps it busy: moto answers one request at a time and its Query reads the whole table.
 * A moto of its own when the tests started theirs; the endpoint DYNAMODB_ENDPOINT names otherwise.
 */
export async function isolatedEndpoint(): Promise<IsolatedEndpoint> {
  if (process.env.DYNAMODB_ENDPOINT_STARTED_BY_TESTS !== 'true')
    return { clientConfig: testClientConfig(), stop: () => Promise.resolve() };
  const local = await startLocalDynamoDB();
  return {
    clientConfig: dynamoDBClientConfig({ endpoint: local.endpoint }),
    stop: () => local.stop(),
  };
}

/** What DescribeTable says of a table's keys, billing and stream. */
export async function tableLayoutOf(client: DynamoDBClient, table: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  return {
    keys: Table?.KeySchema,
    types: Table?.AttributeDefinitions,
    billing: Table?.BillingModeSummary?.BillingMode,
    streams: Table?.StreamSpecification?.StreamEnabled ?? false,
  };
}

/** The layout of a table keyed by one string partition key, as the views and lease tables are. */
export const keyedBy = (partitionKey: string) => ({
  keys: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
  types: [{ AttributeName: partitionKey, AttributeType: 'S' }],
  billing: 'PAY_PER_REQUEST',
  streams: false,
});

/**
 * Writes a stream's events as the store would (the very items of an append), 25 to a BatchWriteItem: moto copies
 * the whole table for every item of a TransactWriteItems, which makes seeding thousands of events through appends
 * take minutes.
 */
export async function seedStream(
  client: DynamoDBClient,
  tableName: string,
  streamId: string,
  events: readonly NewEvent[],
): Promise<void> {
  // Any number of events: written 25 at a time, not as one append, so no limit of one append holds.
  const { eventItems } = encodeAppend(
    prepareAppend(streamId, 0, events),
    { compression: undefined },
    false,
  );
  for (let start = 0; start < eventItems.length; start += 25) {
    const requests = eventItems.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    const { UnprocessedItems } = await client.send(
      new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
    );
    if (Object.keys(UnprocessedItems ?? {}).length > 0)
      throw new Error('moto left items unprocessed');
  }
}
