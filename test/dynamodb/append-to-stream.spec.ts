import { randomUUID } from 'node:crypto';
import { brotliDecompressSync, inflateRawSync } from 'node:zlib';
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { lastValueFrom, toArray } from 'rxjs';
import {
  COMPRESSED_JSON_FORMATS,
  DynamoEventStore,
  EVENT_TABLE_ATTRIBUTES,
  type NewEvent,
  type PayloadCompression,
  SNAPSHOT_SORT_KEY,
  streamIdOf,
} from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { incompressible } from '../support/incompressible.js';
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
    const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const correlation = '5b3a6c1e-8f0d-4c2a-9e7b-1d2f3a4b5c6d';
    const bytesOf = (id: string) => Uint8Array.from(Buffer.from(id.replaceAll('-', ''), 'hex'));

    await store.appendToStream(
      stream,
      0,
      [
        { ...deposited(5), eventId: 'e-1', recordedAt, metadata: { userId: 'u-1' } },
        {
          ...deposited(6),
          eventId: uuid,
          recordedAt,
          schemaVersion: 3,
          metadata: { correlationId: correlation, causationId: 'command-7' },
        },
      ],
      { snapshot: { state: { balance: 11 }, schemaVersion: 2 } },
    );

    const A = EVENT_TABLE_ATTRIBUTES;
    expect(await itemsOf(stream)).toEqual([
      {
        [A.streamId]: { S: stream },
        [A.version]: { N: '1' },
        [A.type]: { S: 'MoneyDeposited' },
        [A.payload]: { S: '{"amount":5}' },
        [A.metadata]: { S: '{"userId":"u-1"}' },
        [A.eventId]: { S: 'e-1' },
        [A.recordedAt]: { N: String(recordedAt.getTime()) },
      },
      {
        [A.streamId]: { S: stream },
        [A.version]: { N: '2' },
        [A.type]: { S: 'MoneyDeposited' },
        [A.schemaVersion]: { N: '3' },
        [A.payload]: { S: '{"amount":6}' },
        [A.eventId]: { B: bytesOf(uuid) },
        [A.correlationId]: { S: correlation },
        [A.causationId]: { S: 'command-7' },
        [A.recordedAt]: { N: String(recordedAt.getTime()) },
      },
      {
        [A.streamId]: { S: stream },
        [A.version]: { N: String(SNAPSHOT_SORT_KEY) },
        [A.snapshotVersion]: { N: '2' },
        [A.schemaVersion]: { N: '2' },
        [A.state]: { S: '{"balance":11}' },
        [A.recordedAt]: { N: String(recordedAt.getTime()) },
      },
    ]);
    expect(await lastValueFrom(store.readStream(stream).pipe(toArray()))).toMatchObject([
      { eventId: 'e-1', schemaVersion: 1, metadata: { userId: 'u-1' }, recordedAt },
      {
        eventId: uuid,
        schemaVersion: 3,
        metadata: { correlationId: correlation, causationId: 'command-7' },
        recordedAt,
      },
    ]);
  });

  describe('compresses a payload or snapshot state over the threshold', () => {
    const lines = Array.from({ length: 40 }, (_, line) => ({ sku: `SKU-${line}`, quantity: 2 }));
    const json = JSON.stringify({ lines });

    async function storedWith(compression?: PayloadCompression | false) {
      const compressing = new DynamoEventStore({ client, tableName, compression });
      const stream = newStream();
      await compressing.appendToStream(stream, 0, [{ type: 'OrderPlaced', payload: { lines } }], {
        snapshot: { state: { lines }, schemaVersion: 1 },
      });
      const [event, snapshot] = await itemsOf(stream);
      const read = await lastValueFrom(compressing.readStream(stream).pipe(toArray()));
      expect(read.map(({ payload }) => payload)).toEqual([{ lines }]);
      return {
        payload: event![EVENT_TABLE_ATTRIBUTES.payload]!,
        state: snapshot![EVENT_TABLE_ATTRIBUTES.state]!,
      };
    }

    it('with deflate by default: a binary of format byte 1 and the raw deflate of the JSON', async () => {
      const { payload, state } = await storedWith();

      expect(json.length).toBeGreaterThan(1024);
      expect(payload.B![0]).toBe(COMPRESSED_JSON_FORMATS.deflate);
      expect(inflateRawSync(payload.B!.subarray(1)).toString()).toBe(json);
      expect(payload.B!.length).toBeLessThan(json.length / 4);
      expect(state.B![0]).toBe(COMPRESSED_JSON_FORMATS.deflate);
    });

    it('with brotli when asked: format byte 2', async () => {
      const { payload } = await storedWith({ algorithm: 'brotli' });

      expect(payload.B![0]).toBe(COMPRESSED_JSON_FORMATS.brotli);
      expect(brotliDecompressSync(payload.B!.subarray(1)).toString()).toBe(json);
    });

    it('not under the threshold, nor at all with compression false', async () => {
      expect((await storedWith({ thresholdBytes: json.length })).payload).toEqual({ S: json });
      expect((await storedWith(false)).payload).toEqual({ S: json });
    });

    it('refuses a threshold that is not a whole number of bytes', () => {
      expect(
        () => new DynamoEventStore({ client, tableName, compression: { thresholdBytes: -1 } }),
      ).toThrow(/thresholdBytes must be a whole number of bytes, 0 or more; got -1/);
    });
  });

  it.each([
    ['a payload that cannot be stored', [{ type: 'MoneyDeposited', payload: { n: 1n } }]],
    ['an event without a type', [{ type: '', payload: {} }]],
    ['101 events', Array.from({ length: 101 }, () => deposited(1))],
    [
      'an event over 400 KB',
      [{ type: 'BlobAttached', payload: { blob: incompressible(600 * KB) } }],
    ],
  ])('sends no request for %s', async (_, events) => {
    await expect(store.appendToStream(newStream(), 0, events)).rejects.toThrow();

    expect(requests.count()).toBe(0);
  });
});
