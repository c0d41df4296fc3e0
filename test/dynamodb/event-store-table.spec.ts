import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createEventStoreTable, EventStoreTableSchemaError } from '../../lib/index.js';
import { testClient } from '../support/dynamodb.js';

let client: DynamoDBClient;

beforeAll(() => {
  client = testClient();
});
afterAll(() => client.destroy());

describe('createEventStoreTable', () => {
  const timeToLiveOf = async (TableName: string) =>
    (await client.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription;

  it('creates the table with the key schema the store writes, on-demand, with streams on', async () => {
    const tableName = `events-${randomUUID()}`;

    expect(await createEventStoreTable(client, tableName)).toBe('created');

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'streamId', KeyType: 'HASH' },
      { AttributeName: 'version', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_IMAGE',
    });
    expect(await timeToLiveOf(tableName)).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });

  it('accepts a table that already exists with the right key schema', async () => {
    const tableName = `events-${randomUUID()}`;
    await createEventStoreTable(client, tableName);

    expect(await createEventStoreTable(client, tableName)).toBe('exists');
  });

  it("turns Time to Live on for an existing table without it: the idempotency keys' expiry", async () => {
    const TableName = `events-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: 'streamId', AttributeType: 'S' },
          { AttributeName: 'version', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'streamId', KeyType: 'HASH' },
          { AttributeName: 'version', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect((await timeToLiveOf(TableName))?.TimeToLiveStatus).toBe('DISABLED');

    expect(await createEventStoreTable(client, TableName)).toBe('exists');

    expect(await timeToLiveOf(TableName)).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });

  it('refuses a table that exists with another key schema, naming both', async () => {
    const tableName = `events-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    const create = createEventStoreTable(client, tableName);

    await expect(create).rejects.toBeInstanceOf(EventStoreTableSchemaError);
    await expect(create).rejects.toThrow(
      'key schema id (S, HASH); the event store needs streamId (S, HASH) + version (N, RANGE)',
    );
  });
});
