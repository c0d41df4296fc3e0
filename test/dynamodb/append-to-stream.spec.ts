import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoEventStore,
  EVENT_TABLE_ATTRIBUTES,
  type NewEvent,
  SNAPSHOT_SORT_KEY,
  streamIdOf,
} from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { RequestLog } from '../support/request-log.js';

let client: DynamoDBClient;
let tableName: string;
let store: DynamoEventStore;
let requests: RequestLog;

beforeAll(async () => {
  client = testClient();
  tableName = await createTestTable(client);
  store = new DynamoEventStore({ client, tableName });
  requests = RequestLog.attachTo(client);
});
afterAll(() => client.destroy());
beforeEach(() => requests.clear());

const KB = 1024;
const newStream = () => streamIdOf('Account', randomUUID());
const deposited = (amount: number): NewEvent => ({ type: 'MoneyDeposited', payload: { amount } });
const commandsSent = () => requests.requests.map((request) => request.command);

async function itemsOf(streamId: string) {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'streamId = :s',
      ExpressionAttributeValues: { ':s': { S: streamId } },
      ConsistentRead: true,
    }),
  );
  return Items;
}

describe('appendToStream on DynamoDB', () => {
  it('writes a single event with one PutItem conditioned on its version being free', async () => {
    await store.appendToStream(newStream(), 0, [deposited(1)]);

    expect(commandsSent()).toEqual(['PutItemCommand']);
    expect(requests.requests[0]!.input).toMatchObject({
      ConditionExpression: 'attribute_not_exists(#version)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('writes 100 events in one TransactWriteItems request, with an idempotency token', async () => {
    await store.appendToStream(
      newStream(),
      0,
      Array.from({ length: 100 }, (_, index) => deposited(index)),
    );

    expect(commandsSent()).toEqual(['TransactWriteItemsCommand']);
    expect(requests.requests[0]!.input.ClientRequestToken).toEqual(expect.any(String));
  });

  it('writes an event and its snapshot together in one TransactWriteItems request', async () => {
    await store.appendToStream(newStream(), 0, [deposited(1)], {
      snapshot: { state: { balance: 1 }, schemaVersion: 1 },
    });

    expect(commandsSent()).toEqual(['TransactWriteItemsCommand']);
  });

  it('writes a save just under the limits, 10 events of 390 KB, in one request', async () => {
    await store.appendToStream(
      newStream(),
      0,
      Array.from({ length: 10 }, () => ({
        type: 'BlobAttached',
        payload: { blob: 'x'.repeat(390 * KB) },
      })),
    );

    expect(commandsSent()).toEqual(['TransactWriteItemsCommand']);
  });

  it('stores one item per event, and the snapshot at the top sort key, in the documented layout', async () => {
    const stream = newStream();
    const recordedAt = new Date('2026-11-25T17:00:00.000Z');

    await store.appendToStream(
      stream,
      0,
      [{ ...deposited(5), eventId: 'e-1', recordedAt, metadata: { userId: 'u-1' } }],
      { snapshot: { state: { balance: 5 }, schemaVersion: 2 } },
    );

    const A = EVENT_TABLE_ATTRIBUTES;
    expect(await itemsOf(stream)).toEqual([
      {
        [A.streamId]: { S: stream },
        [A.version]: { N: '1' },
        [A.type]: { S: 'MoneyDeposited' },
        [A.schemaVersion]: { N: '1' },
        [A.payload]: { S: '{"amount":5}' },
        [A.metadata]: { S: '{"userId":"u-1"}' },
        [A.eventId]: { S: 'e-1' },
        [A.recordedAt]: { S: '2026-11-25T17:00:00.000Z' },
      },
      {
        [A.streamId]: { S: stream },
        [A.version]: { N: String(SNAPSHOT_SORT_KEY) },
        [A.snapshotVersion]: { N: '1' },
        [A.schemaVersion]: { N: '2' },
        [A.state]: { S: '{"balance":5}' },
        [A.recordedAt]: { S: '2026-11-25T17:00:00.000Z' },
      },
    ]);
  });

  it.each([
    ['a payload that cannot be stored', [{ type: 'MoneyDeposited', payload: { n: 1n } }]],
    ['an event without a type', [{ type: '', payload: {} }]],
    ['101 events', Array.from({ length: 101 }, () => deposited(1))],
    ['an event over 400 KB', [{ type: 'BlobAttached', payload: { blob: 'x'.repeat(401 * KB) } }]],
  ])('sends no request for %s', async (_, events) => {
    await expect(store.appendToStream(newStream(), 0, events)).rejects.toThrow();

    expect(requests.count()).toBe(0);
  });
});
