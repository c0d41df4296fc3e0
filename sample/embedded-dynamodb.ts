import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEventStoreTable, dynamoDBClientConfig } from 'nestjs-dynamo-es';
import { type LocalDynamoDb, startLocalDynamoDb } from '../test/local-dynamodb/local-dynamodb.js';

/**
 * The local DynamoDB the tests use (moto, one request at a time, on 127.0.0.1), with the events table created, so
 * that the sample runs with nothing else installed. Its data lives as long as the process.
 */
export async function startEmbeddedDynamoDb(tableName: string): Promise<LocalDynamoDb> {
  const local = await startLocalDynamoDb();
  const client = new DynamoDBClient(dynamoDBClientConfig({ endpoint: local.endpoint }));
  try {
    await createEventStoreTable(client, tableName);
  } catch (error) {
    await local.stop();
    throw error;
  } finally {
    client.destroy();
  }
  return local;
}
