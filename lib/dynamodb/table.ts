import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { EventStoreTableSchemaError } from './errors.js';
import { PARTITION_KEY, SORT_KEY } from './table-layout.js';

export interface CreateEventStoreTableOptions {
  /** Seconds to wait for the table to become ACTIVE. Default 120. */
  readonly maxWaitSeconds?: number;
}

/**
 * Creates the events table (on-demand billing, DynamoDB Streams on with new images) unless it exists. An existing
 * table with the right key schema is accepted as is; one with another key schema is an error.
 */
export async function createEventStoreTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateEventStoreTableOptions = {},
): Promise<'created' | 'exists'> {
  const existing = await describeTable(client, tableName);
  if (existing) {
    assertEventStoreKeySchema(tableName, existing);
    return 'exists';
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: SORT_KEY, AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
    const raced = await describeTable(client, tableName);
    if (raced) assertEventStoreKeySchema(tableName, raced);
    return 'exists';
  }
  await waitUntilTableExists(
    { client, maxWaitTime: options.maxWaitSeconds ?? 120 },
    { TableName: tableName },
  );
  return 'created';
}

async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function assertEventStoreKeySchema(tableName: string, table: TableDescription): void {
  const typeOf = (name: string) =>
    table.AttributeDefinitions?.find((definition) => definition.AttributeName === name)
      ?.AttributeType;
  const keys = (table.KeySchema ?? []).map(
    (key) => `${key.AttributeName} (${typeOf(key.AttributeName!)}, ${key.KeyType})`,
  );
  const found = keys.join(' + ');
  const expected = describeExpectedKeys();
  if (found !== expected) throw new EventStoreTableSchemaError(tableName, found, expected);
}

function describeExpectedKeys(): string {
  return `${PARTITION_KEY} (S, HASH) + ${SORT_KEY} (N, RANGE)`;
}
