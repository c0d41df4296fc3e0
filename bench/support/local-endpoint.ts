import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { createEventStoreTable, dynamoDBClientConfig } from 'nestjs-dynamo-es';
import { createLeaseTable, createViewTable } from 'nestjs-dynamo-es/projections';
import { startLocalDynamoDB } from 'nestjs-dynamo-es/testing';

export interface BenchEndpoint {
  readonly endpoint: string;
  readonly embedded: boolean;
  /** The settings every bench client of the endpoint is made with (DynamoDB and DynamoDB Streams alike). */
  readonly clientConfig: DynamoDBClientConfig;
  newClient(): DynamoDBClient;
  /** A fresh table: moto slows down as a table grows. */
  newTable(): Promise<string>;
  /** A fresh views table and a fresh lease table, for the projections of one case. */
  newProjectionTables(): Promise<{ viewsTable: string; leaseTable: string }>;
  stop(): Promise<void>;
}

/** DYNAMODB_ENDPOINT if set, else the package's local DynamoDB, as the tests use (moto, one request at a time). */
export async function startBenchEndpoint(): Promise<BenchEndpoint> {
  const given = process.env.DYNAMODB_ENDPOINT;
  const local = given ? undefined : await startLocalDynamoDB();
  const endpoint = given ?? local!.endpoint;
  const clientConfig = dynamoDBClientConfig({ endpoint });
  const newClient = () => new DynamoDBClient(clientConfig);
  const admin = newClient();
  let tables = 0;
  const newName = (kind: string) => `bench-${kind}-${process.pid}-${Date.now()}-${tables++}`;
  return {
    endpoint,
    embedded: local !== undefined,
    clientConfig,
    newClient,
    async newTable() {
      const tableName = newName('events');
      await createEventStoreTable(admin, tableName);
      return tableName;
    },
    async newProjectionTables() {
      const viewsTable = newName('views');
      const leaseTable = newName('leases');
      await createViewTable(admin, viewsTable);
      await createLeaseTable(admin, leaseTable);
      return { viewsTable, leaseTable };
    },
    async stop() {
      admin.destroy();
      await local?.stop();
    },
  };
}
