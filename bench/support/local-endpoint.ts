import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEventStoreTable, dynamoDBClientConfig } from 'nestjs-dynamo-es';
import { startLocalDynamoDB } from 'nestjs-dynamo-es/testing';

export interface BenchEndpoint {
  readonly endpoint: string;
  readonly embedded: boolean;
  newClient(): DynamoDBClient;
  /** A fresh table: moto slows down as a table grows. */
  newTable(): Promise<string>;
  stop(): Promise<void>;
}

/** DYNAMODB_ENDPOINT if set, else the package's local DynamoDB, as the tests use (moto, one request at a time). */
export async function startBenchEndpoint(): Promise<BenchEndpoint> {
  const given = process.env.DYNAMODB_ENDPOINT;
  const local = given ? undefined : await startLocalDynamoDB();
  const endpoint = given ?? local!.endpoint;
  const newClient = () => new DynamoDBClient(dynamoDBClientConfig({ endpoint }));
  const admin = newClient();
  let tables = 0;
  return {
    endpoint,
    embedded: local !== undefined,
    newClient,
    async newTable() {
      const tableName = `bench-${process.pid}-${Date.now()}-${tables++}`;
      await createEventStoreTable(admin, tableName);
      return tableName;
    },
    async stop() {
      admin.destroy();
      await local?.stop();
    },
  };
}
