import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  ConcurrencyError,
  createEventStoreTable,
  DynamoEventStore,
  DynamoEventStoreModule,
  streamIdOf,
} from '../../lib/index.js';
import { createLeaseTable, createViewTable } from '../../lib/projections/index.js';
import { createTestTable, testClientConfig } from '../support/dynamodb.js';
import { logIamActions } from './iam-action-log.js';
import {
  actionsAllowedOn,
  allowedActions,
  asList,
  distinct,
  grantsOf,
  type PolicyDocument,
  readPolicy,
} from './iam-policy-document.js';

const TABLE_ARN = 'arn:aws:dynamodb:REGION:ACCOUNT_ID:table/TABLE_NAME';
const VIEWS_TABLE_ARN = 'arn:aws:dynamodb:REGION:ACCOUNT_ID:table/VIEWS_TABLE_NAME';
const LEASE_TABLE_ARN = 'arn:aws:dynamodb:REGION:ACCOUNT_ID:table/LEASE_TABLE_NAME';

/** The table's ARN, asked with a client of its own, whose requests no log sees. */
async function tableArnOf(tableName: string): Promise<string> {
  const client = new DynamoDBClient(testClientConfig());
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table!.TableArn!;
  } finally {
    client.destroy();
  }
}

/** Every statement allows named actions on the given tables only: no wildcard, no negation, no condition. */
function expectOnlyAllowsOn(policy: PolicyDocument, resources: readonly string[]): void {
  expect(policy.Version).toBe('2012-10-17');
  expect(policy.Statement.length).toBeGreaterThan(0);
  for (const statement of policy.Statement) {
    expect(Object.keys(statement).sort()).toEqual(['Action', 'Effect', 'Resource', 'Sid']);
    expect(statement.Effect).toBe('Allow');
    expect(asList(statement.Resource)).toEqual(resources);
    for (const action of asList(statement.Action))
      expect(action).toMatch(/^dynamodb:[A-Z][A-Za-z]+$/);
  }
}

describe('deploy/event-store-iam-policy.json (the application at runtime)', () => {
  let client: DynamoDBClient;

  beforeAll(() => {
    client = new DynamoDBClient(testClientConfig());
  });
  afterAll(() => client.destroy());

  it('allows exactly dynamodb:PutItem, dynamodb:Query and the startup check’s dynamodb:DescribeTable, on the events table only', async () => {
    const policy = await readPolicy('event-store-iam-policy.json');

    expectOnlyAllowsOn(policy, [TABLE_ARN]);
    expect(distinct(allowedActions(policy))).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
  });

  it('allows every request the module and the store send: the startup check, appends to one stream and to several, idempotency keys, a refused append, reads', async () => {
    const tableName = await createTestTable(client);
    const store = new DynamoEventStore({ client, tableName });
    const stream = streamIdOf('Account', randomUUID());
    const sent = logIamActions(client);

    const app = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), DynamoEventStoreModule.forRoot({ tableName, client })],
    }).compile();
    await app.init();
    await app.close();
    expect(sent.map(({ operation }) => operation)).toEqual(['DescribeTable']);

    await store.appendToStream(stream, 0, [{ type: 'AccountOpened', payload: { owner: 'Ada' } }]);
    await store.appendToStream(stream, 1, [
      { type: 'MoneyDeposited', payload: { amount: 5 } },
      { type: 'MoneyDeposited', payload: { amount: 7 } },
    ]);
    await expect(
      store.appendToStream(stream, 1, [{ type: 'MoneyDeposited', payload: { amount: 1 } }]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    await lastValueFrom(store.readStream(stream).pipe(toArray()));
    await store.readStreamVersion(stream);
    const other = streamIdOf('Account', randomUUID());
    const key = { key: randomUUID(), fingerprint: 'f', expiresAt: new Date(Date.now() + 60_000) };
    await store.appendToStreams(
      [
        { streamId: stream, expectedVersion: 3, events: [{ type: 'MoneyDeposited', payload: {} }] },
        { streamId: other, expectedVersion: 0, events: [{ type: 'AccountOpened', payload: {} }] },
      ],
      { idempotencyKey: key },
    );
    await store.appendToStreams([], { idempotencyKey: { ...key, key: randomUUID() } });
    await store.readIdempotencyKey(key.key);

    expect(distinct(sent.map(({ operation }) => operation))).toEqual([
      'DescribeTable',
      'PutItem',
      'Query',
      'TransactWriteItems',
    ]);
    expect(distinct(sent.map((request) => request.tableName))).toEqual([tableName]);
    const policy = await readPolicy('event-store-iam-policy.json');
    expect(distinct(sent.map(({ action }) => action))).toEqual(distinct(allowedActions(policy)));
  });
});

describe('deploy/event-store-transactions-only-iam-policy.json (the application with transactionsOnly)', () => {
  let client: DynamoDBClient;

  beforeAll(() => {
    client = new DynamoDBClient(testClientConfig());
  });
  afterAll(() => client.destroy());

  it('allows PutItem only inside TransactWriteItems, and Query and DescribeTable, on the events table only', async () => {
    const policy = await readPolicy('event-store-transactions-only-iam-policy.json');
    const [puts, ...others] = policy.Statement;

    expect(puts).toEqual({
      Sid: 'AppendEventsInsideTransactionsOnly',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem'],
      Resource: TABLE_ARN,
      Condition: {
        'ForAnyValue:StringEquals': { 'dynamodb:EnclosingOperation': ['TransactWriteItems'] },
      },
    });
    expectOnlyAllowsOn({ ...policy, Statement: others }, [TABLE_ARN]);
    expect(distinct(others.flatMap((statement) => asList(statement.Action)))).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:Query',
    ]);
  });

  it('sends only TransactWriteItems, Query and the startup check: every write of one event, of several, of a key', async () => {
    const tableName = await createTestTable(client);
    const sent = logIamActions(client);
    const app = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventStoreModule.forRoot({ tableName, client, transactionsOnly: true }),
      ],
    }).compile();
    await app.init();
    const store = app.get(DynamoEventStore);
    const stream = streamIdOf('Account', randomUUID());
    try {
      await store.appendToStream(stream, 0, [{ type: 'AccountOpened', payload: { owner: 'Ada' } }]);
      await store.appendToStream(stream, 1, [
        { type: 'MoneyDeposited', payload: { amount: 5 } },
        { type: 'MoneyDeposited', payload: { amount: 7 } },
      ]);
      await expect(
        store.appendToStream(stream, 1, [{ type: 'MoneyDeposited', payload: { amount: 1 } }]),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      const key = { key: randomUUID(), fingerprint: 'f', expiresAt: new Date(Date.now() + 60_000) };
      await store.appendToStreams([], { idempotencyKey: key });
      await store.readIdempotencyKey(key.key);
      await lastValueFrom(store.readStream(stream).pipe(toArray()));
    } finally {
      await app.close();
    }

    expect(distinct(sent.map(({ operation }) => operation))).toEqual([
      'DescribeTable',
      'Query',
      'TransactWriteItems',
    ]);
    // IAM checks each Put of a transaction as dynamodb:PutItem with EnclosingOperation TransactWriteItems.
    expect(
      distinct(
        sent
          .filter(({ action }) => action === 'dynamodb:PutItem')
          .map(({ operation }) => operation),
      ),
    ).toEqual(['TransactWriteItems']);
    expect(distinct(sent.map(({ action }) => action))).toEqual(
      distinct(allowedActions(await readPolicy('event-store-transactions-only-iam-policy.json'))),
    );
    expect((await lastValueFrom(store.readStream(stream).pipe(toArray()))).length).toBe(3);
  });
});

describe('deploy/event-store-admin-iam-policy.json (whoever runs create-tables)', () => {
  it('allows creating and describing the events, views and lease tables, and Time to Live on the events table', async () => {
    const policy = await readPolicy('event-store-admin-iam-policy.json');
    const [tables, timeToLive] = policy.Statement;

    expectOnlyAllowsOn({ ...policy, Statement: [tables!] }, [
      TABLE_ARN,
      VIEWS_TABLE_ARN,
      LEASE_TABLE_ARN,
    ]);
    expectOnlyAllowsOn({ ...policy, Statement: [timeToLive!] }, [TABLE_ARN]);
    expect(policy.Statement).toHaveLength(2);
    expect(asList(tables!.Action)).toEqual(['dynamodb:CreateTable', 'dynamodb:DescribeTable']);
    expect(asList(timeToLive!.Action)).toEqual([
      'dynamodb:DescribeTimeToLive',
      'dynamodb:UpdateTimeToLive',
    ]);
  });

  it('allows every request the table creators send, creating each table and finding it again, on its own table', async () => {
    const client = new DynamoDBClient(testClientConfig());
    const sent = logIamActions(client);
    const suffix = randomUUID();
    const names = {
      TABLE_NAME: `events-iam-${suffix}`,
      VIEWS_TABLE_NAME: `views-iam-${suffix}`,
      LEASE_TABLE_NAME: `leases-iam-${suffix}`,
    };

    try {
      for (const [create, tableName] of [
        [createEventStoreTable, names.TABLE_NAME],
        [createViewTable, names.VIEWS_TABLE_NAME],
        [createLeaseTable, names.LEASE_TABLE_NAME],
      ] as const) {
        expect(await create(client, tableName)).toBe('created');
        expect(await create(client, tableName)).toBe('exists');
      }
    } finally {
      client.destroy();
    }

    const [, , , region, accountId] = (await tableArnOf(names.TABLE_NAME)).split(':');
    const placeholders = { REGION: region!, ACCOUNT_ID: accountId!, ...names };
    const arnOf = (tableName: string) =>
      `arn:aws:dynamodb:${region}:${accountId}:table/${tableName}`;
    const policy = await readPolicy('event-store-admin-iam-policy.json');
    expect(distinct(sent.map((request) => request.tableName))).toEqual(
      distinct(Object.values(names)),
    );
    for (const tableName of Object.values(names)) {
      const actions = distinct(
        sent.filter((request) => request.tableName === tableName).map(({ action }) => action),
      );
      expect(actionsAllowedOn(policy, placeholders, arnOf(tableName))).toEqual(actions);
    }
    expect(distinct(grantsOf(policy, placeholders).map(({ resource }) => resource))).toEqual(
      distinct(Object.values(names).map(arnOf)),
    );
  });
});
