import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  EventStoreError,
  EventStoreTableSchemaError,
  TableNotFoundError,
} from '../../../lib/index.js';
import { createLeaseTable } from '../../../lib/projections/streams/create-lease-table.js';
import {
  StreamNotEnabledError,
  StreamRunnerOptionsError,
} from '../../../lib/projections/streams/stream-errors.js';
import { StreamRunner } from '../../../lib/projections/streams/stream-runner.js';
import { testClient, testClientConfig } from '../../support/dynamodb.js';

let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;

beforeAll(() => {
  client = testClient();
  streams = new DynamoDBStreamsClient(testClientConfig());
});
afterAll(() => {
  client.destroy();
  streams.destroy();
});

describe('createLeaseTable', () => {
  it('creates an on-demand table keyed by leaseKey, ACTIVE when it returns', async () => {
    const tableName = `leases-${randomUUID()}`;

    expect(await createLeaseTable(client, tableName)).toBe('created');

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'leaseKey', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).toEqual([
      { AttributeName: 'leaseKey', AttributeType: 'S' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.TableStatus).toBe('ACTIVE');
  });

  it('accepts a lease table that already exists', async () => {
    const tableName = `leases-${randomUUID()}`;
    await createLeaseTable(client, tableName);

    expect(await createLeaseTable(client, tableName)).toBe('exists');
  });

  it('refuses a table that exists with another key schema, naming both', async () => {
    const tableName = `leases-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: 'leaseKey', AttributeType: 'S' },
          { AttributeName: 'owner', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'leaseKey', KeyType: 'HASH' },
          { AttributeName: 'owner', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    const create = createLeaseTable(client, tableName);

    await expect(create).rejects.toBeInstanceOf(EventStoreTableSchemaError);
    await expect(create).rejects.toBeInstanceOf(EventStoreError);
    await expect(create).rejects.toThrow(
      "key schema leaseKey (S, HASH) + owner (S, RANGE); the stream runner's lease table needs leaseKey (S, HASH)",
    );
  });
});

describe('StreamRunner: what it refuses', () => {
  const runnerOn = (
    eventsTable: string,
    options: Partial<ConstructorParameters<typeof StreamRunner>[0]> = {},
  ) =>
    new StreamRunner({
      dynamodb: client,
      streams,
      eventsTable,
      leaseTable: 'unused',
      handler: () => Promise.resolve(),
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      ...options,
    });

  it('an events table without a stream: StreamNotEnabledError, naming the table and the fix', async () => {
    const tableName = `events-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'streamId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const runner = runnerOn(tableName);

    const start = runner.start();

    await expect(start).rejects.toBeInstanceOf(StreamNotEnabledError);
    await expect(start).rejects.toMatchObject({ tableName });
    await expect(start).rejects.toThrow(
      `Table "${tableName}" has no DynamoDB stream enabled. Projections read new images from the stream: ` +
        `enable it with view type NEW_IMAGE (aws dynamodb update-table --table-name ${tableName} ` +
        '--stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE',
    );
    await runner.stop();
  });

  it('a stream without new images: StreamNotEnabledError, naming its view type', async () => {
    const tableName = `events-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'streamId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      }),
    );

    await expect(runnerOn(tableName).start()).rejects.toThrow(
      `Table "${tableName}" has a DynamoDB stream of view type KEYS_ONLY, without new images.`,
    );
  });

  it("a missing events table: the store's TableNotFoundError", async () => {
    await expect(runnerOn(`missing-${randomUUID()}`).start()).rejects.toBeInstanceOf(
      TableNotFoundError,
    );
  });

  it('times that cannot work: StreamRunnerOptionsError before anything is sent', () => {
    expect(() => runnerOn('t', { failoverTimeMs: 1_000, renewIntervalMs: 1_000 })).toThrow(
      new StreamRunnerOptionsError(
        'renewIntervalMs (1000) must be shorter than failoverTimeMs (1000), or leases expire between renewals',
      ),
    );
    expect(() => runnerOn('t', { idleDelayMs: 0 })).toThrow('idleDelayMs must be above 0, not 0');
    expect(() => runnerOn('t', { maxRecordsPerCall: 5_000 })).toThrow(
      "maxRecordsPerCall must be an integer from 1 to 1000 (GetRecords' limit), not 5000",
    );
  });
});
