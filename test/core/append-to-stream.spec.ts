import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lastValueFrom, toArray } from 'rxjs';
import {
  ConcurrencyError,
  DynamoEventStore,
  EventSerializationError,
  InvalidAppendError,
  InvalidStreamIdError,
  type NewEvent,
  type StoredEvent,
  streamIdOf,
} from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { RequestLog } from '../support/request-log.js';

let client: DynamoDBClient;
let store: DynamoEventStore;
let requests: RequestLog;

beforeAll(async () => {
  client = testClient();
  store = new DynamoEventStore({ client, tableName: await createTestTable(client) });
  requests = RequestLog.attachTo(client);
});
afterAll(() => client.destroy());
beforeEach(() => requests.clear());

const newStream = () => streamIdOf('Account', randomUUID());
const deposited = (amount: number): NewEvent => ({ type: 'MoneyDeposited', payload: { amount } });
const readAll = (streamId: string): Promise<StoredEvent[]> =>
  lastValueFrom(store.readStream(streamId).pipe(toArray()));

describe('appendToStream', () => {
  it('stores events that read back with their version, type, payload, metadata, id and time', async () => {
    const stream = newStream();
    const before = Date.now();

    const result = await store.appendToStream(
      stream,
      0,
      [{ type: 'AccountOpened', payload: { owner: 'Ada' }, metadata: { source: 'web' } }],
      { metadata: { userId: 'u-1', source: 'api' } },
    );

    expect(result.version).toBe(1);
    const [event] = await readAll(stream);
    expect(event).toEqual({
      streamId: stream,
      version: 1,
      type: 'AccountOpened',
      schemaVersion: 1,
      payload: { owner: 'Ada' },
      metadata: { userId: 'u-1', source: 'web' },
      eventId: result.events[0]!.eventId,
      recordedAt: expect.any(Date) as Date,
    });
    expect(event!.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(event!.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes a single event with one conditional PutItem', async () => {
    await store.appendToStream(newStream(), 0, [deposited(1)]);

    expect(requests.requests.map((request) => request.command)).toEqual(['PutItemCommand']);
  });

  it('writes 100 events in one TransactWriteItems request', async () => {
    const stream = newStream();
    const events = Array.from({ length: 100 }, (_, index) => deposited(index));

    const result = await store.appendToStream(stream, 0, events);

    expect(requests.requests.map((request) => request.command)).toEqual([
      'TransactWriteItemsCommand',
    ]);
    expect(result.version).toBe(100);
    const stored = await readAll(stream);
    expect(stored.map((event) => event.version)).toEqual(
      Array.from({ length: 100 }, (_, index) => index + 1),
    );
    expect(stored.map((event) => (event.payload as { amount: number }).amount)).toEqual(
      events.map((_, index) => index),
    );
  });

  it('continues a stream from the version it was read at', async () => {
    const stream = newStream();
    const first = await store.appendToStream(stream, 0, [deposited(1), deposited(2)]);
    const second = await store.appendToStream(stream, first.version, [deposited(3)]);

    expect(second.version).toBe(3);
    expect((await readAll(stream)).map((event) => event.version)).toEqual([1, 2, 3]);
  });

  it('stores class instances as their plain JSON data', async () => {
    class MoneyDeposited {
      constructor(
        readonly amount: number,
        readonly at: Date,
      ) {}
    }
    const stream = newStream();
    const at = new Date('2026-01-02T03:04:05.000Z');

    await store.appendToStream(stream, 0, [
      { type: 'MoneyDeposited', payload: new MoneyDeposited(5, at) },
    ]);

    const [event] = await readAll(stream);
    expect(event!.payload).toEqual({ amount: 5, at: '2026-01-02T03:04:05.000Z' });
    expect(Object.getPrototypeOf(event!.payload)).toBe(Object.prototype);
  });

  describe('when another writer appended first', () => {
    it('rejects a single-event append with ConcurrencyError naming the version found', async () => {
      const stream = newStream();
      await store.appendToStream(stream, 0, [deposited(1), deposited(2)]);

      const stale = store.appendToStream(stream, 1, [deposited(99)]);

      await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(stale).rejects.toMatchObject({
        streamId: stream,
        expectedVersion: 1,
        foundVersion: 2,
      });
      expect((await readAll(stream)).map((event) => event.payload)).toEqual([
        { amount: 1 },
        { amount: 2 },
      ]);
    });

    it('rejects a multi-event append as a whole, writing none of its events', async () => {
      const stream = newStream();
      await store.appendToStream(stream, 0, [deposited(1), deposited(2)]);

      const stale = store.appendToStream(stream, 1, [deposited(97), deposited(98), deposited(99)]);

      await expect(stale).rejects.toMatchObject({
        name: 'ConcurrencyError',
        streamId: stream,
        expectedVersion: 1,
        foundVersion: 2,
      });
      expect(await readAll(stream)).toHaveLength(2);
    });

    it('lets exactly one of 20 racing appends at the same version win', async () => {
      const stream = newStream();
      await store.appendToStream(stream, 0, [deposited(0)]);
      const writers = Array.from({ length: 20 }, (_, writer) =>
        store.appendToStream(
          stream,
          1,
          Array.from({ length: 1 + (writer % 3) }, (_, index) => deposited(writer * 100 + index)),
        ),
      );

      const outcomes = await Promise.allSettled(writers);

      const winners = outcomes.flatMap((outcome, writer) =>
        outcome.status === 'fulfilled' ? [writer] : [],
      );
      expect(winners).toHaveLength(1);
      const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
      for (const loser of losers) expect(loser.reason).toBeInstanceOf(ConcurrencyError);

      const winner = winners[0]!;
      const stored = await readAll(stream);
      expect(stored.map((event) => event.version)).toEqual(
        Array.from({ length: 2 + (winner % 3) }, (_, index) => index + 1),
      );
      expect(stored.slice(1).map((event) => event.payload)).toEqual(
        Array.from({ length: 1 + (winner % 3) }, (_, index) => ({ amount: winner * 100 + index })),
      );
    });
  });

  describe('refuses, before any request,', () => {
    it.each([
      ['a function', { amount: 1, callback: () => 1 }],
      ['a bigint', { amount: 10n ** 30n }],
      [
        'a cycle',
        (() => {
          const payload: Record<string, unknown> = { amount: 1 };
          payload.self = payload;
          return payload;
        })(),
      ],
      ['NaN', { amount: Number.NaN }],
      ['a Map', { amounts: new Map([['a', 1]]) }],
      ['undefined inside an array', { amounts: [1, undefined] }],
    ])('a payload holding %s', async (_, payload) => {
      const stream = newStream();

      const append = store.appendToStream(stream, 0, [{ type: 'MoneyDeposited', payload }]);

      await expect(append).rejects.toBeInstanceOf(EventSerializationError);
      await expect(append).rejects.toMatchObject({ streamId: stream, eventType: 'MoneyDeposited' });
      expect(requests.count()).toBe(0);
      expect(await readAll(stream)).toEqual([]);
    });

    it('an empty list of events', async () => {
      await expect(store.appendToStream(newStream(), 0, [])).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      expect(requests.count()).toBe(0);
    });

    it.each([-1, 1.5, Number.NaN])('an expected version of %s', async (expectedVersion) => {
      await expect(
        store.appendToStream(newStream(), expectedVersion, [deposited(1)]),
      ).rejects.toBeInstanceOf(InvalidAppendError);
      expect(requests.count()).toBe(0);
    });

    it('a stream id too long for a DynamoDB partition key', async () => {
      const append = store.appendToStream('x'.repeat(2049), 0, [deposited(1)]);

      await expect(append).rejects.toBeInstanceOf(InvalidStreamIdError);
      await expect(append).rejects.toThrow(/2049 bytes exceeds its limit of 2048/);
      expect(requests.count()).toBe(0);
    });
  });
});
