import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEventStoreTable } from 'nestjs-dynamo-es';
import { type LocalDynamoDb, startLocalDynamoDb } from '../test/local-dynamodb/local-dynamodb.js';

/**
 * The local DynamoDB the tests use (moto, one request at a time, on 127.0.0.1), with the events table created, so
 * that the sample runs with nothing else installed. Its data lives as long as the process.
 */
export async function startEmbeddedDynamoDb(tableName: string): Promise<LocalDynamoDb> {
  const local = await startLocalDynamoDb();
  const client = new DynamoDBClient({
    endpoint: local.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
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
