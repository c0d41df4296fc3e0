import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { lastValueFrom, toArray } from 'rxjs';
import {
  COMPRESSED_JSON_FORMATS,
  DynamoEventStore,
  SNAPSHOT_SORT_KEY,
  streamIdOf,
  type WireItem,
} from '../../lib/index.js';
import { toStreamRecord } from '../../lib/lambda/lambda-stream-record.js';
import { storedEventsOf } from '../../lib/projections/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';

let client: DynamoDBClient;
let tableName: string;
let store: DynamoEventStore;

beforeAll(async () => {
  client = testClient();
  tableName = await createTestTable(client);
  store = new DynamoEventStore({ client, tableName });
});
afterAll(() => client.destroy());

/** An event as layout 1 stored it: every attribute there, the id and the time as strings, longer names. */
const layout1Event = (streamId: string, version: number, eventId: string): WireItem => ({
  streamId: { S: streamId },
  version: { N: String(version) },
  type: { S: 'MoneyDeposited' },
  schemaVersion: { N: '2' },
  payload: { S: `{"amountCents":${version}00}` },
  metadata: { S: '{"correlationId":"c-1"}' },
  eventId: { S: eventId },
  recordedAt: { S: '2026-11-20T08:00:00.000Z' },
});

const put = (item: WireItem) =>
  client.send(new PutItemCommand({ TableName: tableName, Item: item }));

describe('items of layout 1, written before layout 2', () => {
  it('read by every read of the store, as they were stored', async () => {
    const streamId = streamIdOf('Account', randomUUID());
    await put(layout1Event(streamId, 1, 'e-1'));
    await put(layout1Event(streamId, 2, 'e-2'));
    await put({
      streamId: { S: streamId },
      version: { N: String(SNAPSHOT_SORT_KEY) },
      snapshotVersion: { N: '1' },
      schemaVersion: { N: '3' },
      state: { S: '{"balanceCents":100}' },
      recordedAt: { S: '2026-11-20T08:00:00.000Z' },
    });

    const events = await lastValueFrom(store.readStream(streamId).pipe(toArray()));
    const data = [];
    for await (const page of store.readEventData(streamId)) data.push(...page);
    const fromSnapshot = await store.readSnapshotAndNewerEvents(streamId);

    expect(events).toEqual(
      [1, 2].map((version) => ({
        streamId,
        version,
        type: 'MoneyDeposited',
        schemaVersion: 2,
        payload: { amountCents: version * 100 },
        metadata: { correlationId: 'c-1' },
        eventId: `e-${version}`,
        recordedAt: new Date('2026-11-20T08:00:00.000Z'),
      })),
    );
    expect(
      data.map(({ version, schemaVersion, payload }) => ({ version, schemaVersion, payload })),
    ).toEqual([
      { version: 1, schemaVersion: 2, payload: { amountCents: 100 } },
      { version: 2, schemaVersion: 2, payload: { amountCents: 200 } },
    ]);
    expect(fromSnapshot.snapshot).toEqual({
      streamId,
      version: 1,
      schemaVersion: 3,
      state: { balanceCents: 100 },
    });
    expect(fromSnapshot.events.map(({ version }) => version)).toEqual([2]);
    expect(await store.readStreamVersion(streamId)).toBe(2);
  });

  it('take part in appends: the next version follows them, and resending one of their ids is a success that writes nothing', async () => {
    const streamId = streamIdOf('Account', randomUUID());
    await put(layout1Event(streamId, 1, 'e-1'));

    const resent = await store.appendToStream(streamId, 0, [
      { type: 'MoneyDeposited', payload: { amountCents: 100 }, eventId: 'e-1' },
    ]);
    await store.appendToStream(streamId, 1, [
      { type: 'MoneyDeposited', payload: { amountCents: 5 } },
    ]);

    expect(resent.version).toBe(1);
    const events = await lastValueFrom(store.readStream(streamId).pipe(toArray()));
    expect(events.map(({ version, eventId }) => [version, eventId])).toEqual([
      [1, 'e-1'],
      [2, expect.any(String)],
    ]);
  });

  it('decoded from stream records as from the table', () => {
    const [event] = storedEventsOf([
      { eventName: 'INSERT', dynamodb: { NewImage: layout1Event('Account#a-1', 1, 'e-1') } },
    ]);

    expect(event).toMatchObject({
      version: 1,
      schemaVersion: 2,
      eventId: 'e-1',
      payload: { amountCents: 100 },
    });
  });
});

describe('a compressed payload in a stream record', () => {
  const payload = { note: 'a long note '.repeat(200) };
  const compressed = Buffer.concat([
    Buffer.of(COMPRESSED_JSON_FORMATS.deflate),
    deflateRawSync(JSON.stringify(payload)),
  ]);
  const image = {
    streamId: { S: 'Account#a-1' },
    version: { N: '1' },
    type: { S: 'NoteAdded' },
    data: { B: compressed },
    id: { S: 'e-1' },
    time: { N: '1764576000000' },
  };

  it('is decoded from the Streams API’s bytes', () => {
    expect(storedEventsOf([{ eventName: 'INSERT', dynamodb: { NewImage: image } }])).toMatchObject([
      { payload, eventId: 'e-1', recordedAt: new Date(1764576000000) },
    ]);
  });

  it('is decoded from Lambda’s base64', () => {
    const lambdaRecord = {
      eventName: 'INSERT',
      dynamodb: { NewImage: { ...image, data: { B: compressed.toString('base64') } } },
    } as DynamoDBRecord;

    expect(storedEventsOf([toStreamRecord(lambdaRecord)])).toMatchObject([{ payload }]);
  });
});
