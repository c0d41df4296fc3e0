import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { count, firstValueFrom, lastValueFrom, map, take, takeWhile, toArray } from 'rxjs';
import { DynamoEventStore, type StoredEvent, streamIdOf } from '../../lib/index.js';
import { createTestTable, seedStream, testClient } from '../support/dynamodb.js';
import { incompressible } from '../support/incompressible.js';
import { RequestLog } from '../support/request-log.js';

let client: DynamoDBClient;
let store: DynamoEventStore;
let tableName: string;
let requests: RequestLog;
/** 300 events of over 10 KB stored (random text: compressed to about 10.5 KB): three 1 MB pages at least. */
let largeStream: string;

beforeAll(async () => {
  client = testClient();
  tableName = await createTestTable(client);
  store = new DynamoEventStore({ client, tableName });
  requests = RequestLog.attachTo(client);
  largeStream = streamIdOf('Ledger', randomUUID());
  const filler = incompressible(14 * 1024);
  for (let version = 0; version < 300; version += 100) {
    await store.appendToStream(
      largeStream,
      version,
      Array.from({ length: 100 }, (_, index) => ({
        type: 'EntryRecorded',
        payload: { entry: version + index + 1, filler },
      })),
    );
  }
});
afterAll(() => client.destroy());
beforeEach(() => requests.clear());

/** How many events the large stream's first page holds, counted as they are read; the request log cleared after. */
async function firstPageSizeOfLargeStream(): Promise<number> {
  const size = await lastValueFrom(
    store.readStream(largeStream).pipe(
      takeWhile(() => requests.queriesOf(largeStream) === 1),
      count(),
    ),
  );
  requests.clear();
  return size;
}

const readAll = (streamId: string, options?: Parameters<DynamoEventStore['readStream']>[1]) =>
  lastValueFrom(store.readStream(streamId, options).pipe(toArray()));
const entries = (events: StoredEvent[]) =>
  events.map((event) => (event.payload as { entry: number }).entry);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('readStream on DynamoDB', () => {
  it('reads a stream larger than one 1 MB page completely and in version order', async () => {
    const events = await readAll(largeStream);

    expect(events.map((event) => event.version)).toEqual(range(1, 300));
    expect(entries(events)).toEqual(range(1, 300));
    expect(requests.queriesOf(largeStream)).toBeGreaterThanOrEqual(3);
  });

  it('reads pages of at most 1,000 events, so that a long history is not held 1 MB at a time', async () => {
    const streamId = streamIdOf('Ledger', randomUUID());
    await seedStream(
      client,
      tableName,
      streamId,
      Array.from({ length: 1001 }, (_, index) => ({
        type: 'EntryRecorded',
        payload: { entry: index + 1 },
      })),
    );

    requests.clear();

    const events = await readAll(streamId);

    expect(entries(events)).toEqual(range(1, 1001));
    expect(requests.queriesOf(streamId)).toBe(2);
    expect(requests.requests.map((request) => request.input.Limit)).toEqual([1000, 1000]);
  });

  it('asks for every attribute but the stream id, which it knows, and gives each event its stream id', async () => {
    const [first] = await lastValueFrom(store.readStream(largeStream).pipe(take(1), toArray()));

    const { ProjectionExpression, ExpressionAttributeNames } = requests.requests[0]!.input as {
      ProjectionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
    };
    const projected = ProjectionExpression.split(', ').map(
      (name) => ExpressionAttributeNames[name],
    );
    expect(projected).not.toContain('streamId');
    expect(projected).toEqual(
      expect.arrayContaining(['version', 'type', 'data', 'meta', 'id', 'time']),
    );
    expect(first!.streamId).toBe(largeStream);
  });

  it('reads with strongly consistent Query requests', async () => {
    await readAll(largeStream);

    expect(requests.requests.every((request) => request.input.ConsistentRead === true)).toBe(true);
  });

  it('sends no request until subscribed', () => {
    store.readStream(largeStream);

    expect(requests.count()).toBe(0);
  });

  it('requests no further page once the subscriber has unsubscribed', async () => {
    const first = await firstValueFrom(store.readStream(largeStream));
    // Reading another stream to its end gives a leaked page request every chance to be sent first.
    await readAll(streamIdOf('Ledger', randomUUID()));

    expect(first.version).toBe(1);
    expect(requests.queriesOf(largeStream)).toBe(1);
  });

  it('requests each page only after the previous page has been emitted', async () => {
    const requestsSentAtEachEvent = await lastValueFrom(
      store.readStream(largeStream).pipe(
        map(() => requests.queriesOf(largeStream)),
        toArray(),
      ),
    );

    const pages = [...new Set(requestsSentAtEachEvent)];
    expect(pages).toEqual(range(1, pages.length));
    expect(requestsSentAtEachEvent).toEqual([...requestsSentAtEachEvent].sort((a, b) => a - b));
  });

  it('stops after the page that holds the last event the subscriber takes', async () => {
    const firstPageSize = await firstPageSizeOfLargeStream();

    const taken = await lastValueFrom(
      store.readStream(largeStream).pipe(take(firstPageSize + 1), toArray()),
    );

    expect(taken).toHaveLength(firstPageSize + 1);
    expect(requests.queriesOf(largeStream)).toBe(2);
  });

  it('requests no further page when the subscriber leaves at the last event of a page', async () => {
    const firstPageSize = await firstPageSizeOfLargeStream();

    await lastValueFrom(store.readStream(largeStream).pipe(take(firstPageSize), toArray()));
    // Reading another stream to its end gives a leaked page request every chance to be sent first.
    await readAll(streamIdOf('Ledger', randomUUID()));

    expect(requests.queriesOf(largeStream)).toBe(1);
  });

  it('emits nothing, and no error, when unsubscribed before the first page arrives', async () => {
    const received: unknown[] = [];
    const subscription = store.readStream(largeStream).subscribe({
      next: (event) => received.push(event),
      error: (error) => received.push(error),
      complete: () => received.push('complete'),
    });

    subscription.unsubscribe();
    // Reading another stream to its end gives the dropped page every chance to arrive first.
    await readAll(streamIdOf('Ledger', randomUUID()));

    expect(received).toEqual([]);
    expect(requests.queriesOf(largeStream)).toBeLessThanOrEqual(1);
  });

  it('tells the version of a stream with one Query of one key', async () => {
    expect(await store.readStreamVersion(largeStream)).toBe(300);

    expect(requests.requests).toMatchObject([
      {
        command: 'QueryCommand',
        input: { Limit: 1, ScanIndexForward: false, ConsistentRead: true },
      },
    ]);
  });

  it('sends no request for read options it refuses', async () => {
    await expect(readAll(largeStream, { fromVersion: 5, toVersion: 2 })).rejects.toThrow(
      'fromVersion 5 is after toVersion 2',
    );
    await expect(readAll(largeStream, { fromVersion: Number.NaN })).rejects.toThrow(
      'fromVersion is NaN',
    );

    expect(requests.count()).toBe(0);
  });
});
