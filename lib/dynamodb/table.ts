import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type ScalarAttributeType,
  type TableDescription,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { EventStoreTableSchemaError } from './errors.js';
import { PARTITION_KEY, SORT_KEY, TIME_TO_LIVE_ATTRIBUTE } from './table-layout.js';

export interface CreateEventStoreTableOptions {
  /** Seconds to wait for the table to become ACTIVE. Default 120. */
  readonly maxWaitSeconds?: number;
}

/** A table one of this package's stores needs: its keys, and whether it has a DynamoDB Stream. */
export interface TableDefinition {
  /** What the table is for, in messages: "the event store", "the view store"… */
  readonly purpose: string;
  /** What the table is, in messages: "events table", "views table"… */
  readonly noun: string;
  readonly partitionKey: { readonly name: string; readonly type: ScalarAttributeType };
  readonly sortKey?: { readonly name: string; readonly type: ScalarAttributeType };
  /** DynamoDB Streams with new images. */
  readonly stream?: boolean;
  /** The attribute DynamoDB's Time to Live deletes items by. */
  readonly timeToLive?: string;
}

export const EVENTS_TABLE: TableDefinition = {
  purpose: 'the event store',
  noun: 'events table',
  partitionKey: { name: PARTITION_KEY, type: 'S' },
  sortKey: { name: SORT_KEY, type: 'N' },
  stream: true,
  // Commands' idempotency keys expire; events have no such attribute and are never deleted.
  timeToLive: TIME_TO_LIVE_ATTRIBUTE,
};

/**
 * Creates the events table (on-demand billing, DynamoDB Streams on with new images, Time to Live on `expiresAt`)
 * unless it exists. An existing table with the right key schema is accepted, Time to Live turned on if it is off;
 * one with another key schema is an error.
 */
export function createEventStoreTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateEventStoreTableOptions = {},
): Promise<'created' | 'exists'> {
  return createTableUnlessExists(client, tableName, EVENTS_TABLE, options);
}

/**
 * Creates a table of the given definition, on-demand, and waits until it is ACTIVE; or accepts an existing one with
 * the same key schema. Safe to run on every deployment and from several processes at once.
 */
export async function createTableUnlessExists(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition,
  options: CreateEventStoreTableOptions = {},
): Promise<'created' | 'exists'> {
  const existing = await describeTable(client, tableName);
  if (existing) {
    assertKeySchema(tableName, existing, definition);
    await enableTimeToLive(client, tableName, definition);
    return 'exists';
  }
  const keys = [definition.partitionKey, ...(definition.sortKey ? [definition.sortKey] : [])];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keys.map(({ name, type }) => ({
          AttributeName: name,
          AttributeType: type,
        })),
        KeySchema: keys.map(({ name }, index) => ({
          AttributeName: name,
          KeyType: index === 0 ? 'HASH' : 'RANGE',
        })),
        BillingMode: 'PAY_PER_REQUEST',
        ...(definition.stream
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }
          : {}),
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
    const raced = await describeTable(client, tableName);
    if (raced) assertKeySchema(tableName, raced, definition);
    return 'exists';
  }
  await waitUntilTableExists(
    { client, maxWaitTime: options.maxWaitSeconds ?? 120 },
    { TableName: tableName },
  );
  await enableTimeToLive(client, tableName, definition);
  return 'created';
}

async function enableTimeToLive(
  client: DynamoDBClient,
  tableName: string,
  { timeToLive }: TableDefinition,
): Promise<void> {
  if (!timeToLive) return;
  const { TimeToLiveDescription } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: timeToLive },
    }),
  );
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

/** Throws EventStoreTableSchemaError unless the table has the definition's keys, of its types, in its order. */
export function assertKeySchema(
  tableName: string,
  table: TableDescription,
  definition: TableDefinition,
): void {
  const typeOf = (name: string) =>
    table.AttributeDefinitions?.find((attribute) => attribute.AttributeName === name)
      ?.AttributeType;
  const found = (table.KeySchema ?? [])
    .map((key) => `${key.AttributeName} (${typeOf(key.AttributeName!)}, ${key.KeyType})`)
    .join(' + ');
  const expected = describeKeys(definition);
  if (found !== expected) {
    throw new EventStoreTableSchemaError(tableName, found, expected, definition.purpose);
  }
}

function describeKeys({ partitionKey, sortKey }: TableDefinition): string {
  return [
    `${partitionKey.name} (${partitionKey.type}, HASH)`,
    ...(sortKey ? [`${sortKey.name} (${sortKey.type}, RANGE)`] : []),
  ].join(' + ');
}
