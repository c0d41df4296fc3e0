import { randomUUID } from 'node:crypto';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import {
  ConcurrencyError,
  EventSerializationError,
  type EventStore,
  EventStoreLimitError,
  InvalidAppendError,
  InvalidReadError,
  InvalidStreamIdError,
  MAX_BYTES_PER_ITEM,
  type NewEvent,
  type PayloadCompression,
  type ReadStreamOptions,
  type StoredEvent,
  streamIdOf,
} from '../../lib/index.js';
import { incompressible } from '../support/incompressible.js';

/** How a store under test is started: as the store's defaults, but for what a group of tests sets. */
export interface StoreSettings {
  readonly compression?: PayloadCompression | false;
}

/** A store under test, fresh for one test file. */
export interface StoreUnderTest {
  readonly store: EventStore;
  readonly stop?: () => Promise<void>;
}

const KB = 1024;

/**
 * The EventStore contract: every behaviour a store must have, run against each store. A failure names the store in
 * its title ("EventStore contract on <store> › …"), so a disagreement between stores says which one is off.
 */
export function describeEventStoreContract(
  storeName: string,
  start: (settings?: StoreSettings) => Promise<StoreUnderTest>,
): void {
  describe(`EventStore contract on ${storeName}`, () => {
    let underTest: StoreUnderTest;
    let store: EventStore;

    beforeAll(async () => {
      underTest = await start();
      store = underTest.store;
    });
    afterAll(() => underTest?.stop?.());

    const newStream = () => streamIdOf('Account', randomUUID());
    const deposited = (amount: number): NewEvent => ({
      type: 'MoneyDeposited',
      payload: { amount },
    });
    const readAll = (streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> =>
      lastValueFrom(store.readStream(streamId, options).pipe(toArray()));
    const readData = async (streamId: string, options?: ReadStreamOptions) => {
      const events = [];
      for await (const batch of store.readEventData(streamId, options)) events.push(...batch);
      return events;
    };
    const payloads = async (streamId: string) =>
      (await readAll(streamId)).map((event) => event.payload);
    const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
      try {
        await promise;
      } catch (error) {
        return error;
      }
      throw new Error('expected a rejection');
    };

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

        expect(result).toMatchObject({ streamId: stream, version: 1, snapshotWritten: false });
        const [event] = await readAll(stream);
        expect(event).toEqual({
          streamId: stream,
          version: 1,
          type: 'AccountOpened',
          schemaVersion: 1,
          payload: { owner: 'Ada' },
          metadata: { userId: 'u-1', source: 'web' },
          eventId: result.events[0]!.eventId,
          recordedAt: result.events[0]!.recordedAt,
        });
        expect(event!.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(event!.eventId).toMatch(/^[0-9a-f-]{36}$/);
      });

      it('keeps the event id, time and schema version an event is given', async () => {
        const stream = newStream();
        const recordedAt = new Date('2026-01-02T03:04:05.678Z');

        await store.appendToStream(stream, 0, [
          { ...deposited(1), eventId: 'my-id-1', recordedAt, schemaVersion: 3 },
        ]);

        expect(await readAll(stream)).toMatchObject([
          { eventId: 'my-id-1', recordedAt, schemaVersion: 3 },
        ]);
      });

      it('continues a stream from the version it was read at', async () => {
        const stream = newStream();
        const first = await store.appendToStream(stream, 0, [deposited(1), deposited(2)]);
        const second = await store.appendToStream(stream, first.version, [deposited(3)]);

        expect(second.version).toBe(3);
        expect((await readAll(stream)).map((event) => event.version)).toEqual([1, 2, 3]);
        expect(await store.readStreamVersion(stream)).toBe(3);
      });

      it('stores 100 events in one append', async () => {
        const stream = newStream();
        const events = Array.from({ length: 100 }, (_, index) => deposited(index));

        const result = await store.appendToStream(stream, 0, events);

        expect(result.version).toBe(100);
        expect(await payloads(stream)).toEqual(events.map((event) => event.payload));
      });

      it('stores class instances as their plain JSON data', async () => {
        class Money {
          constructor(
            readonly cents: number,
            readonly at: Date,
          ) {}
        }
        const stream = newStream();

        await store.appendToStream(stream, 0, [
          {
            type: 'MoneyDeposited',
            payload: { money: new Money(5, new Date('2026-01-02T03:04:05.000Z')) },
          },
        ]);

        const [payload] = (await payloads(stream)) as { money: object }[];
        expect(payload).toEqual({ money: { cents: 5, at: '2026-01-02T03:04:05.000Z' } });
        expect(Object.getPrototypeOf(payload!.money)).toBe(Object.prototype);
      });

      it('round-trips every key exactly, "__proto__" and "constructor" included', async () => {
        const stream = newStream();
        const payload = JSON.parse(
          '{"__proto__":{"amount":70},"constructor":"Hacked","toString":1,' +
            '"nested":{"__proto__":[1,2],"constructor":{"name":"x"}},"emoji":"😀","none":null}',
        ) as Record<string, unknown>;

        await store.appendToStream(stream, 0, [{ type: 'MoneyDeposited', payload }]);

        const [stored] = await payloads(stream);
        expect(JSON.stringify(stored)).toBe(JSON.stringify(payload));
        expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
        expect(Object.keys(stored as object)).toEqual([
          '__proto__',
          'constructor',
          'toString',
          'nested',
          'emoji',
          'none',
        ]);
      });

      it('round-trips metadata exactly beside its correlation and causation ids, "__proto__" included', async () => {
        const stream = newStream();
        const metadata = JSON.parse(
          '{"correlationId":"c-1","causationId":"k-1","__proto__":{"admin":true},"userId":"u-1"}',
        ) as Record<string, unknown>;

        await store.appendToStream(stream, 0, [{ ...deposited(1), metadata }]);

        const [stored] = await readAll(stream);
        expect(JSON.stringify(stored!.metadata)).toBe(JSON.stringify(metadata));
        expect(Object.getPrototypeOf(stored!.metadata)).toBe(Object.prototype);
        expect(Object.keys(stored!.metadata)).toEqual([
          'correlationId',
          'causationId',
          '__proto__',
          'userId',
        ]);
      });

      it('merges the append metadata into each event, the event’s own keys winning', async () => {
        const stream = newStream();

        await store.appendToStream(
          stream,
          0,
          [{ ...deposited(1), metadata: { userId: 'u-2' } }, deposited(2)],
          { metadata: { userId: 'u-1', correlationId: 'c-1' } },
        );

        expect((await readAll(stream)).map((event) => event.metadata)).toEqual([
          { userId: 'u-2', correlationId: 'c-1' },
          { userId: 'u-1', correlationId: 'c-1' },
        ]);
      });

      it('takes the same events again (same ids) as a success that writes nothing: a retry is exactly-once', async () => {
        const stream = newStream();
        const events = [
          { ...deposited(1), eventId: randomUUID() },
          { ...deposited(2), eventId: randomUUID() },
        ];
        await store.appendToStream(stream, 0, events);

        const again = await store.appendToStream(stream, 0, events, { retry: true });

        expect(again.version).toBe(2);
        expect((await readAll(stream)).map((event) => event.eventId)).toEqual(
          events.map((event) => event.eventId),
        );
      });

      it('does not read the stream before writing: an expected version beyond its end writes the versions after it', async () => {
        const stream = newStream();
        await store.appendToStream(stream, 0, [deposited(1)]);

        await store.appendToStream(stream, 2, [deposited(4)]);

        expect((await readAll(stream)).map((event) => event.version)).toEqual([1, 3]);
      });

      describe('when another writer appended first', () => {
        it('rejects a single-event append with ConcurrencyError naming the version found', async () => {
          const stream = newStream();
          await store.appendToStream(stream, 0, [deposited(1), deposited(2)]);

          const error = await rejection(store.appendToStream(stream, 1, [deposited(99)]));

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ streamId: stream, expectedVersion: 1, foundVersion: 2 });
          expect(await payloads(stream)).toEqual([{ amount: 1 }, { amount: 2 }]);
        });

        it('rejects a multi-event append as a whole, writing none of its events, and names their ids', async () => {
          const stream = newStream();
          await store.appendToStream(stream, 0, [deposited(1), deposited(2)]);
          const events = [deposited(97), deposited(98), deposited(99)].map((event) => ({
            ...event,
            eventId: randomUUID(),
          }));

          const error = await rejection(store.appendToStream(stream, 1, events));

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({
            expectedVersion: 1,
            foundVersion: 2,
            eventIds: events.map((event) => event.eventId),
          });
          expect(await readAll(stream)).toHaveLength(2);
        });

        it('rejects a retry whose versions another writer took, writing nothing', async () => {
          const stream = newStream();
          await store.appendToStream(stream, 0, [deposited(1)]);

          const error = await rejection(
            store.appendToStream(stream, 0, [{ ...deposited(2), eventId: randomUUID() }], {
              retry: true,
            }),
          );

          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(await payloads(stream)).toEqual([{ amount: 1 }]);
        });

        it('lets exactly one of 20 racing appends at the same version win', async () => {
          const stream = newStream();
          await store.appendToStream(stream, 0, [deposited(0)]);
          const writers = Array.from({ length: 20 }, (_, writer) =>
            store.appendToStream(
              stream,
              1,
              Array.from({ length: 1 + (writer % 3) }, (_, index) =>
                deposited(writer * 100 + index),
              ),
            ),
          );

          const outcomes = await Promise.allSettled(writers);

          const winners = outcomes.flatMap((outcome, writer) =>
            outcome.status === 'fulfilled' ? [writer] : [],
          );
          expect(winners).toHaveLength(1);
          for (const outcome of outcomes) {
            if (outcome.status === 'rejected')
              expect(outcome.reason).toBeInstanceOf(ConcurrencyError);
          }
          const winner = winners[0]!;
          expect((await payloads(stream)).slice(1)).toEqual(
            Array.from({ length: 1 + (winner % 3) }, (_, index) => ({
              amount: winner * 100 + index,
            })),
          );
        });
      });

      describe('refuses with EventSerializationError, writing nothing, a payload holding', () => {
        class Temperature {
          #celsius = 21;
          get celsius() {
            return this.#celsius;
          }
        }
        const cycle: Record<string, unknown> = { amount: 1 };
        cycle.self = cycle;
        it.each([
          ['a function', { amount: 1, callback: () => 1 }],
          ['a bigint', { amount: 10n ** 30n }],
          ['a cycle', cycle],
          ['NaN', { amount: Number.NaN }],
          ['Infinity', { amount: Number.POSITIVE_INFINITY }],
          ['a Map', { amounts: new Map([['a', 1]]) }],
          ['a Set', { amounts: new Set([1]) }],
          ['undefined inside an array', { amounts: [1, undefined] }],
          // eslint-disable-next-line no-sparse-arrays
          ['a hole in an array', { amounts: [1, , 3] }],
          ['a Uint8Array', { data: new Uint8Array([1, 2]) }],
          ['a Buffer', { data: Buffer.from('ab') }],
          ['an ArrayBuffer', { data: new ArrayBuffer(2) }],
          ['an Error', { failure: new Error('boom') }],
          ['a RegExp', { pattern: /a+/ }],
          ['a Promise', { later: Promise.resolve(1) }],
          ['an invalid Date', { at: new Date('not a date') }],
          ['a class instance whose data is in getters', { temperature: new Temperature() }],
          ['a symbol', { kind: Symbol('k') }],
        ])('%s', async (_, payload) => {
          const stream = newStream();

          const error = await rejection(
            store.appendToStream(stream, 0, [{ type: 'MoneyDeposited', payload }]),
          );

          expect(error).toBeInstanceOf(EventSerializationError);
          expect(error).toMatchObject({ streamId: stream, eventType: 'MoneyDeposited' });
          expect(await store.readStreamVersion(stream)).toBe(0);
        });

        it.each([
          [
            '{"a":{"b":{"c":Map}}}',
            { a: { b: { c: new Map() } } },
            /its payload field "a\.b\.c" is a Map/,
          ],
          ['{"list":[1,Set]}', { list: [1, new Set()] }, /its payload field "list\[1\]" is a Set/],
          ['a bigint at the top', 1n, /its payload is a bigint/],
        ])('and names where the value sits: %s', async (_, payload, reason) => {
          const error = await rejection(
            store.appendToStream(newStream(), 0, [{ type: 'MoneyDeposited', payload }]),
          );

          expect((error as EventSerializationError).reason).toMatch(reason);
        });

        it.each([
          ['a string', 'hello'],
          ['an array', ['a']],
          ['a class instance', new (class Audit {})()],
          ['null', null],
        ])('or metadata that is %s, not a plain object', async (_, metadata) => {
          const stream = newStream();

          const error = await rejection(
            store.appendToStream(stream, 0, [{ ...deposited(1), metadata: metadata as never }]),
          );

          expect(error).toBeInstanceOf(EventSerializationError);
          expect((error as Error).message).toMatch(/metadata must be a plain object/);
          expect(await store.readStreamVersion(stream)).toBe(0);
        });
      });

      describe('refuses with InvalidAppendError, writing nothing,', () => {
        it.each([
          ['no events', []],
          ['an empty type', [{ type: '', payload: {} }]],
          ['a type that is not a string', [{ type: 42, payload: {} }]],
          ['a schema version of 0', [{ ...deposited(1), schemaVersion: 0 }]],
          ['a schema version of 1.5', [{ ...deposited(1), schemaVersion: 1.5 }]],
          ['a schema version that is a string', [{ ...deposited(1), schemaVersion: '2' }]],
          ['an invalid recordedAt', [{ ...deposited(1), recordedAt: new Date('x') }]],
          ['a recordedAt that is a string', [{ ...deposited(1), recordedAt: '2026-01-01' }]],
          ['an empty event id', [{ ...deposited(1), eventId: '' }]],
          [
            'one event id given to two events',
            [
              { ...deposited(1), eventId: 'same' },
              { ...deposited(2), eventId: 'same' },
            ],
          ],
        ])('an append with %s', async (_, events) => {
          const stream = newStream();

          const error = await rejection(store.appendToStream(stream, 0, events as NewEvent[]));

          expect(error).toBeInstanceOf(InvalidAppendError);
          expect(error).toMatchObject({ streamId: stream });
          expect(await store.readStreamVersion(stream)).toBe(0);
        });

        it.each([-1, 1.5, Number.NaN])('an expected version of %s', async (expectedVersion) => {
          expect(
            await rejection(store.appendToStream(newStream(), expectedVersion, [deposited(1)])),
          ).toBeInstanceOf(InvalidAppendError);
        });

        it('a snapshot whose schema version is not an integer ≥ 1', async () => {
          const stream = newStream();

          const error = await rejection(
            store.appendToStream(stream, 0, [deposited(1)], {
              snapshot: { state: {}, schemaVersion: 0 },
            }),
          );

          expect(error).toBeInstanceOf(InvalidAppendError);
          expect(await store.readStreamVersion(stream)).toBe(0);
        });
      });

      it.each([
        ['empty', ''],
        ['too long for a DynamoDB partition key', 'x'.repeat(2049)],
      ])('refuses a stream id that is %s with InvalidStreamIdError', async (_, streamId) => {
        expect(await rejection(store.appendToStream(streamId, 0, [deposited(1)]))).toBeInstanceOf(
          InvalidStreamIdError,
        );
      });

      describe("holds every append to DynamoDB's limits, writing nothing beyond them (compression off: the JSON is what is stored)", () => {
        let uncompressed: StoreUnderTest;
        let store: EventStore;
        beforeAll(async () => {
          uncompressed = await start({ compression: false });
          store = uncompressed.store;
        });
        afterAll(() => uncompressed?.stop?.());

        const eventOf = (payloadBytes: number): NewEvent => ({
          type: 'BlobAttached',
          payload: { blob: 'x'.repeat(payloadBytes) },
        });

        it.each([
          ['101 events', Array.from({ length: 101 }, () => eventOf(10)), 'events per save', 100],
          [
            '11 events of 390 KB, over 4 MB in all',
            Array.from({ length: 11 }, () => eventOf(390 * KB)),
            'bytes per save',
            4 * KB * KB,
          ],
          ['an event over 400 KB', [eventOf(10), eventOf(401 * KB)], 'bytes per event', 400 * KB],
        ])('refuses %s with EventStoreLimitError', async (_, events, limit, maximum) => {
          const stream = newStream();

          const error = await rejection(store.appendToStream(stream, 0, events));

          expect(error).toBeInstanceOf(EventStoreLimitError);
          expect(error).toMatchObject({ streamId: stream, limit, maximum });
          expect((error as EventStoreLimitError).found).toBeGreaterThan(maximum);
          expect(await store.readStreamVersion(stream)).toBe(0);
        });

        it('counts an event as its stored item: names and values in UTF-8 bytes', async () => {
          const stream = newStream();
          // The payload alone is under 400 KB; with the item's other attributes it is over.
          const payloadBytes = MAX_BYTES_PER_ITEM - 20;

          const error = await rejection(store.appendToStream(stream, 0, [eventOf(payloadBytes)]));

          expect(error).toMatchObject({ limit: 'bytes per event' });
        });

        it('stores an append just under them: 10 events of 390 KB', async () => {
          const stream = newStream();

          await store.appendToStream(
            stream,
            0,
            Array.from({ length: 10 }, () => eventOf(390 * KB)),
          );

          expect(await store.readStreamVersion(stream)).toBe(10);
        });
      });

      describe('payloads over 1 KB of JSON, stored compressed', () => {
        const order = (lines: number) => ({
          orderId: 'o-1',
          lines: Array.from({ length: lines }, (_, line) => ({
            sku: `SKU-${line}`,
            name: 'Blue mug, 350 ml',
            quantity: (line % 3) + 1,
          })),
        });

        it('read back exactly as appended, by every read, with the snapshot state', async () => {
          const stream = newStream();
          const payload = order(100);
          const state = { ...order(60), total: 'café ☕' };

          await store.appendToStream(stream, 0, [{ type: 'OrderPlaced', payload }], {
            snapshot: { state, schemaVersion: 1 },
          });

          expect((await readAll(stream)).map((event) => event.payload)).toEqual([payload]);
          const data: unknown[] = [];
          for await (const page of store.readEventData(stream))
            data.push(...page.map((e) => e.payload));
          expect(data).toEqual([payload]);
          expect((await store.readSnapshotAndNewerEvents(stream)).snapshot?.state).toEqual(state);
        });

        it('fit when their JSON is over 400 KB but what is stored is not: the limits count stored bytes', async () => {
          const stream = newStream();
          const blob = 'x'.repeat(600 * KB);

          await store.appendToStream(stream, 0, [{ type: 'BlobAttached', payload: { blob } }]);

          const [stored] = await readAll(stream);
          expect((stored!.payload as { blob: string }).blob).toBe(blob);
        });

        it('are refused when what would be stored is over 400 KB', async () => {
          const stream = newStream();

          const error = await rejection(
            store.appendToStream(stream, 0, [
              { type: 'BlobAttached', payload: { blob: incompressible(600 * KB) } },
            ]),
          );

          expect(error).toMatchObject({ limit: 'bytes per event', maximum: 400 * KB });
          expect((error as EventStoreLimitError).found).toBeLessThan(600 * KB);
          expect(await store.readStreamVersion(stream)).toBe(0);
        });
      });
    });

    describe('snapshots', () => {
      const state = (balance: number) => ({ state: { balance }, schemaVersion: 1 });

      it('are written with the events and read with the events after them', async () => {
        const stream = newStream();
        await store.appendToStream(stream, 0, [deposited(1), deposited(2)], {
          snapshot: state(3),
        });
        const withSnapshot = await store.appendToStream(stream, 2, [deposited(4)]);

        const read = await store.readSnapshotAndNewerEvents(stream);

        expect(withSnapshot.snapshotWritten).toBe(false);
        expect(read.snapshot).toEqual({
          streamId: stream,
          version: 2,
          schemaVersion: 1,
          state: { balance: 3 },
        });
        expect(read.events).toEqual([
          { version: 3, type: 'MoneyDeposited', schemaVersion: 1, payload: { amount: 4 } },
        ]);
      });

      it('are never part of the stream: reads and the version see events only', async () => {
        const stream = newStream();
        await store.appendToStream(stream, 0, [deposited(1)], { snapshot: state(1) });

        expect((await readAll(stream)).map((event) => event.type)).toEqual(['MoneyDeposited']);
        expect(await readData(stream)).toHaveLength(1);
        expect(await store.readStreamVersion(stream)).toBe(1);
      });

      it('give the whole stream when there is none', async () => {
        const stream = newStream();
        await store.appendToStream(stream, 0, [deposited(1), deposited(2)]);

        const read = await store.readSnapshotAndNewerEvents(stream, { expectedNewerEvents: 1 });

        expect(read.snapshot).toBeUndefined();
        expect(read.events.map((event) => event.version)).toEqual([1, 2]);
      });

      it('are kept only when newer than the stored one', async () => {
        const stream = newStream();
        await store.appendToStream(stream, 0, [deposited(1), deposited(2)], { snapshot: state(3) });
        await store.appendToStream(stream, 2, [deposited(3)], { snapshot: state(6) });

        const read = await store.readSnapshotAndNewerEvents(stream);

        expect(read.snapshot).toMatchObject({ version: 3, state: { balance: 6 } });
        expect(read.events).toEqual([]);
      });

      it('are never written when their events are refused', async () => {
        const stream = newStream();
        await store.appendToStream(stream, 0, [deposited(1)]);

        await rejection(
          store.appendToStream(stream, 0, [deposited(5), deposited(5)], { snapshot: state(10) }),
        );

        expect((await store.readSnapshotAndNewerEvents(stream)).snapshot).toBeUndefined();
      });

      it('are left out of an append of 100 events, which is written, saying why', async () => {
        const stream = newStream();

        const result = await store.appendToStream(
          stream,
          0,
          Array.from({ length: 100 }, () => deposited(1)),
          { snapshot: state(100) },
        );

        expect(result.snapshotWritten).toBe(false);
        expect(result.snapshotSkipped).toMatchObject({
          limit: 'events per save',
          maximum: 100,
          found: 101,
        });
        expect(result.snapshotSkipped!.reason).toMatch(
          /^The 100 events were saved without the snapshot: .*101 items.*limit of 100/,
        );
        expect(result.snapshotSkipped!.reason).not.toMatch(/Nothing was written/);
        expect(await store.readStreamVersion(stream)).toBe(100);
        expect((await store.readSnapshotAndNewerEvents(stream)).snapshot).toBeUndefined();
      });

      it('are left out when over 400 KB, or not storable, and the events written', async () => {
        const big = newStream();
        const unstorable = newStream();

        const tooBig = await store.appendToStream(big, 0, [deposited(1)], {
          snapshot: { state: { blob: incompressible(600 * KB) }, schemaVersion: 1 },
        });
        const notJson = await store.appendToStream(unstorable, 0, [deposited(1)], {
          snapshot: { state: { seen: new Set([1]) }, schemaVersion: 1 },
        });

        expect(tooBig.snapshotSkipped).toMatchObject({ limit: 'bytes per event' });
        expect(tooBig.snapshotSkipped!.reason).toMatch(/^The event was saved without the snapshot/);
        expect(notJson.snapshotSkipped!.reason).toMatch(/Set/);
        expect(await store.readStreamVersion(big)).toBe(1);
        expect(await store.readStreamVersion(unstorable)).toBe(1);
      });
    });

    describe('listStreams', () => {
      const listAll = async (count: number) => {
        const found: string[] = [];
        for (let index = 0; index < count; index++) {
          for await (const page of store.listStreams({ index, count }))
            found.push(...page.streamIds);
        }
        return found;
      };

      it('lists every stream once across its segments, snapshots or not, whatever the segment count', async () => {
        const streams = [newStream(), newStream(), newStream(), newStream(), newStream()];
        for (const stream of streams)
          await store.appendToStream(stream, 0, [deposited(1), deposited(2)]);
        await store.appendToStream(streams[0]!, 2, [deposited(3)], {
          snapshot: { state: {}, schemaVersion: 1 },
        });

        for (const count of [1, 3]) {
          const listed = await listAll(count);
          const ours = listed.filter((streamId) => streams.includes(streamId));
          expect(ours.sort()).toEqual([...streams].sort());
        }
      });

      it('resumes a segment after a page it has read', async () => {
        const stream = newStream();
        await store.appendToStream(stream, 0, [deposited(1)]);
        const pages = [];
        for await (const page of store.listStreams({ index: 0, count: 1 })) pages.push(page);

        const last = pages.at(-1)!;
        expect(last.resumeAfter).toBeUndefined();
        if (pages.length > 1) {
          const resumed = [];
          for await (const page of store.listStreams({
            index: 0,
            count: 1,
            after: pages.at(-2)!.resumeAfter,
          })) {
            resumed.push(...page.streamIds);
          }
          expect(resumed).toEqual(last.streamIds);
        }
        expect(pages.flatMap((page) => page.streamIds)).toContain(stream);
      });

      it.each([
        [{ index: 0, count: 0 }],
        [{ index: 3, count: 3 }],
        [{ index: -1, count: 2 }],
        [{ index: 0.5, count: 2 }],
      ])('refuses segment %j with InvalidReadError', async (segment) => {
        const pages = async () => {
          for await (const _ of store.listStreams(segment)) void _;
        };
        expect(await rejection(pages())).toBeInstanceOf(InvalidReadError);
      });

      it('estimates how many events it holds', async () => {
        const estimate = await store.estimateEventCount();

        expect(estimate === undefined || (Number.isSafeInteger(estimate) && estimate >= 0)).toBe(
          true,
        );
      });
    });

    describe('reads', () => {
      let stream: string;
      beforeAll(async () => {
        stream = newStream();
        await store.appendToStream(
          stream,
          0,
          Array.from({ length: 10 }, (_, index) => deposited(index + 1)),
        );
      });

      it('give the versions between fromVersion and toVersion, inclusive, in order', async () => {
        expect(
          (await readAll(stream, { fromVersion: 3, toVersion: 5 })).map((e) => e.version),
        ).toEqual([3, 4, 5]);
        expect((await readData(stream, { fromVersion: 9 })).map((e) => e.version)).toEqual([9, 10]);
      });

      it('give what a replay needs, and only that', async () => {
        const [first] = await readData(stream);

        expect(first).toEqual({
          version: 1,
          type: 'MoneyDeposited',
          schemaVersion: 1,
          payload: { amount: 1 },
        });
      });

      it('complete with nothing for a stream that does not exist', async () => {
        const none = newStream();

        expect(await readAll(none)).toEqual([]);
        expect(await readData(none)).toEqual([]);
        expect(await store.readStreamVersion(none)).toBe(0);
        expect(await store.readSnapshotAndNewerEvents(none)).toEqual({ events: [] });
      });

      it('start afresh for every subscriber', async () => {
        const reads = store.readStream(stream, { toVersion: 2 });

        const [first, second] = await Promise.all([
          lastValueFrom(reads.pipe(toArray())),
          lastValueFrom(reads.pipe(toArray())),
        ]);

        expect(first.map((e) => e.version)).toEqual([1, 2]);
        expect(second).toEqual(first);
      });

      it('stop when the subscriber has what it wants', async () => {
        expect((await firstValueFrom(store.readStream(stream))).version).toBe(1);
        expect(await lastValueFrom(store.readStream(stream).pipe(take(3), toArray()))).toHaveLength(
          3,
        );
      });

      it('give each reader its own copies: changing what was read changes nothing stored', async () => {
        const [event] = await readAll(stream, { toVersion: 1 });
        (event!.payload as { amount: number }).amount = 1000;

        expect((await readAll(stream, { toVersion: 1 }))[0]!.payload).toEqual({ amount: 1 });
      });

      it.each([
        ['fromVersion after toVersion', { fromVersion: 5, toVersion: 2 }],
        ['a NaN bound', { fromVersion: Number.NaN }],
        ['a negative bound', { toVersion: -1 }],
        ['a bound of 0', { fromVersion: 0 }],
        ['a fractional bound', { fromVersion: 1.5 }],
      ])('refuse %s with InvalidReadError', async (_, options: ReadStreamOptions) => {
        expect(await rejection(readAll(stream, options))).toBeInstanceOf(InvalidReadError);
        expect(await rejection(readData(stream, options))).toBeInstanceOf(InvalidReadError);
      });

      it('refuse a negative number of expected newer events with InvalidReadError', async () => {
        expect(
          await rejection(store.readSnapshotAndNewerEvents(stream, { expectedNewerEvents: -1 })),
        ).toBeInstanceOf(InvalidReadError);
      });
    });
  });
}
