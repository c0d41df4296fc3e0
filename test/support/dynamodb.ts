import { randomUUID } from 'node:crypto';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { createEventStoreTable, dynamoDBClientConfig } from '../../lib/index.js';

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
