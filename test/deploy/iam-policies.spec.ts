import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lastValueFrom, toArray } from 'rxjs';
import {
  ConcurrencyError,
  createEventStoreTable,
  DynamoEventStore,
  streamIdOf,
} from '../../lib/index.js';
import { createTestTable, testClientConfig } from '../support/dynamodb.js';
import { logIamActions } from './iam-action-log.js';

interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly Record<string, unknown>[];
}

const TABLE_ARN = 'arn:aws:dynamodb:REGION:ACCOUNT_ID:table/TABLE_NAME';

async function readPolicy(name: string): Promise<PolicyDocument> {
  const path = fileURLToPath(new URL(`../../deploy/${name}`, import.meta.url));
  return JSON.parse(await readFile(path, 'utf8')) as PolicyDocument;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const allowedActions = (policy: PolicyDocument) =>
  new Set(policy.Statement.flatMap((statement) => asList(statement.Action)));
const distinct = <T>(values: readonly T[]) => [...new Set(values)].sort();

/** Every statement allows named actions on the events table only: no wildcard, no negation, no condition. */
function expectOnlyAllowsOnTheTable(policy: PolicyDocument): void {
  expect(policy.Version).toBe('2012-10-17');
  expect(policy.Statement.length).toBeGreaterThan(0);
  for (const statement of policy.Statement) {
    expect(Object.keys(statement).sort()).toEqual(['Action', 'Effect', 'Resource', 'Sid']);
    expect(statement.Effect).toBe('Allow');
    expect(asList(statement.Resource)).toEqual([TABLE_ARN]);
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

  it('allows exactly dynamodb:PutItem and dynamodb:Query, on the events table only', async () => {
    const policy = await readPolicy('event-store-iam-policy.json');

    expectOnlyAllowsOnTheTable(policy);
    expect(distinct([...allowedActions(policy)])).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
  });

  it('allows every request the store sends: single and multi-event appends, a refused append, reads', async () => {
    const tableName = await createTestTable(client);
    const store = new DynamoEventStore({ client, tableName });
    const stream = streamIdOf('Account', randomUUID());
    const sent = logIamActions(client);

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

    expect(distinct(sent.map(({ operation }) => operation))).toEqual([
      'PutItem',
      'Query',
      'TransactWriteItems',
    ]);
    expect(distinct(sent.map((request) => request.tableName))).toEqual([tableName]);
    const policy = await readPolicy('event-store-iam-policy.json');
    expect(distinct(sent.map(({ action }) => action))).toEqual(
      distinct([...allowedActions(policy)]),
    );
  });
});

describe('deploy/event-store-admin-iam-policy.json (whoever runs create-tables)', () => {
  it('allows exactly dynamodb:CreateTable and dynamodb:DescribeTable, on the events table only', async () => {
    const policy = await readPolicy('event-store-admin-iam-policy.json');

    expectOnlyAllowsOnTheTable(policy);
    expect(distinct([...allowedActions(policy)])).toEqual([
      'dynamodb:CreateTable',
      'dynamodb:DescribeTable',
    ]);
  });

  it('allows every request createEventStoreTable sends, creating a table and finding it again', async () => {
    const client = new DynamoDBClient(testClientConfig());
    const sent = logIamActions(client);
    const tableName = `events-iam-${randomUUID()}`;

    try {
      expect(await createEventStoreTable(client, tableName)).toBe('created');
      expect(await createEventStoreTable(client, tableName)).toBe('exists');
    } finally {
      client.destroy();
    }

    expect(distinct(sent.map((request) => request.tableName))).toEqual([tableName]);
    const policy = await readPolicy('event-store-admin-iam-policy.json');
    expect(distinct(sent.map(({ action }) => action))).toEqual(
      distinct([...allowedActions(policy)]),
    );
  });
});
