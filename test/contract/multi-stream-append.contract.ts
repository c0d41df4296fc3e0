import { randomUUID } from 'node:crypto';
import { lastValueFrom, toArray } from 'rxjs';
import {
  ConcurrencyError,
  EventStoreLimitError,
  IdempotencyKeyInUseError,
  type IdempotencyKeyToStore,
  InvalidAppendError,
  type NewEvent,
  type StreamAppend,
  streamIdOf,
} from '../../lib/index.js';
import type { StoreUnderTest } from './event-store.contract.js';

const DAY_MS = 24 * 3600 * 1000;

/** appendToStreams and idempotency keys: the part of the EventStore contract that spans streams. */
export function describeMultiStreamAppendContract(
  storeName: string,
  start: () => Promise<StoreUnderTest>,
): void {
  describe(`EventStore contract on ${storeName}: appends to several streams, idempotency keys`, () => {
    let underTest: StoreUnderTest;
    beforeAll(async () => (underTest = await start()));
    afterAll(() => underTest?.stop?.());
    const store = () => underTest.store;

    const newStream = () => streamIdOf('Account', randomUUID());
    const moved = (amount: number): NewEvent => ({ type: 'MoneyMoved', payload: { amount } });
    const amounts = async (streamId: string) =>
      (await lastValueFrom(store().readStream(streamId).pipe(toArray()))).map(
        (event) => (event.payload as { amount: number }).amount,
      );
    const keyOf = (
      fingerprint = 'request-1',
      expiresAt = new Date(Date.now() + DAY_MS),
    ): IdempotencyKeyToStore => ({
      key: `key-${randomUUID()}`,
      fingerprint,
      result: { transferred: 10 },
      expiresAt,
    });
    const rejection = (promise: Promise<unknown>) =>
      promise.then(
        () => {
          throw new Error('expected a rejection');
        },
        (error: unknown) => error,
      );

    /** Two accounts, each opened with one event. */
    async function twoStreams(): Promise<[string, string]> {
      const [from, to] = [newStream(), newStream()];
      await store().appendToStream(from, 0, [moved(100)]);
      await store().appendToStream(to, 0, [moved(0)]);
      return [from, to];
    }
    const transfer = (from: string, to: string, amount = 10): StreamAppend[] => [
      { streamId: from, expectedVersion: 1, events: [moved(-amount)] },
      { streamId: to, expectedVersion: 1, events: [moved(amount)] },
    ];

    it('writes the events of every stream in one write, and answers for each stream', async () => {
      const [from, to] = await twoStreams();

      const results = await store().appendToStreams(transfer(from, to), {
        metadata: { by: 'ada' },
      });

      expect(results.map(({ streamId, version }) => ({ streamId, version }))).toEqual([
        { streamId: from, version: 2 },
        { streamId: to, version: 2 },
      ]);
      expect(await amounts(from)).toEqual([100, -10]);
      expect(await amounts(to)).toEqual([0, 10]);
      const [, deposit] = await lastValueFrom(store().readStream(to).pipe(toArray()));
      expect(deposit).toMatchObject({
        metadata: { by: 'ada' },
        eventId: results[1]!.events[0]!.eventId,
      });
    });

    it('writes nothing when one stream has moved on, and names that stream', async () => {
      const [from, to] = await twoStreams();
      await store().appendToStream(to, 1, [moved(5)]);

      const error = await rejection(store().appendToStreams(transfer(from, to)));

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: to, expectedVersion: 1, foundVersion: 2 });
      expect(await amounts(from)).toEqual([100]);
      expect(await amounts(to)).toEqual([0, 5]);
    });

    it('holds the whole write to the limits: 60 and 50 events are 110 items, over 100', async () => {
      const [from, to] = [newStream(), newStream()];
      const error = await rejection(
        store().appendToStreams([
          {
            streamId: from,
            expectedVersion: 0,
            events: Array.from({ length: 60 }, () => moved(1)),
          },
          { streamId: to, expectedVersion: 0, events: Array.from({ length: 50 }, () => moved(1)) },
        ]),
      );

      expect(error).toBeInstanceOf(EventStoreLimitError);
      expect(error).toMatchObject({ limit: 'events per save', maximum: 100, found: 110 });
      expect(await store().readStreamVersion(from)).toBe(0);
      expect(await store().readStreamVersion(to)).toBe(0);
    });

    it('takes the same write again (same event ids) as a success that writes nothing', async () => {
      const [from, to] = await twoStreams();
      const appends = transfer(from, to).map((append) => ({
        ...append,
        events: append.events.map((event) => ({ ...event, eventId: randomUUID() })),
      }));
      await store().appendToStreams(appends);

      const again = await store().appendToStreams(appends, { retry: true });

      expect(again.map(({ version }) => version)).toEqual([2, 2]);
      expect(await amounts(from)).toEqual([100, -10]);
      expect(await amounts(to)).toEqual([0, 10]);
    });

    it.each([
      ['no streams and no key', [] as StreamAppend[], /there are no streams to append to/],
      [
        'a stream given twice',
        [
          { streamId: 'Account#twice', expectedVersion: 0, events: [moved(1)] },
          { streamId: 'Account#twice', expectedVersion: 0, events: [moved(2)] },
        ],
        /stream "Account#twice" is given twice/,
      ],
    ])('refuses %s with InvalidAppendError', async (_, appends, message) => {
      const error = await rejection(store().appendToStreams(appends));

      expect(error).toBeInstanceOf(InvalidAppendError);
      expect((error as Error).message).toMatch(message);
    });

    describe('with an idempotency key', () => {
      it('stores the key in the same write, with the fingerprint, the result and what was written', async () => {
        const [from, to] = await twoStreams();
        const key = keyOf();

        const results = await store().appendToStreams(transfer(from, to), { idempotencyKey: key });

        expect(await store().readIdempotencyKey(key.key)).toEqual({
          key: key.key,
          fingerprint: 'request-1',
          result: { transferred: 10 },
          streams: [
            { streamId: from, version: 2 },
            { streamId: to, version: 2 },
          ],
          eventIds: results.flatMap(({ events }) => events.map(({ eventId }) => eventId)),
          recordedAt: expect.any(Date) as Date,
          expiresAt: new Date(Math.ceil(key.expiresAt.getTime() / 1000) * 1000),
        });
      });

      it('refuses another write with a key in use, writing nothing, and gives what the key holds', async () => {
        const [from, to] = await twoStreams();
        const key = keyOf();
        await store().appendToStreams(transfer(from, to), { idempotencyKey: key });
        const [other] = await twoStreams();

        const error = await rejection(
          store().appendToStreams([{ streamId: other, expectedVersion: 1, events: [moved(1)] }], {
            idempotencyKey: { ...key, fingerprint: 'request-2' },
          }),
        );

        expect(error).toBeInstanceOf(IdempotencyKeyInUseError);
        expect(error).toMatchObject({
          key: key.key,
          stored: { fingerprint: 'request-1', result: { transferred: 10 } },
        });
        expect(await amounts(other)).toEqual([100]);
      });

      it('guards a single-event append too', async () => {
        const stream = newStream();
        const key = keyOf();
        await store().appendToStreams(
          [{ streamId: stream, expectedVersion: 0, events: [moved(1)] }],
          {
            idempotencyKey: key,
          },
        );

        const error = await rejection(
          store().appendToStreams([{ streamId: stream, expectedVersion: 1, events: [moved(1)] }], {
            idempotencyKey: key,
          }),
        );

        expect(error).toBeInstanceOf(IdempotencyKeyInUseError);
        expect(await amounts(stream)).toEqual([1]);
      });

      it('takes the same write and key again as a success that writes nothing', async () => {
        const [from, to] = await twoStreams();
        const key = keyOf();
        const appends = transfer(from, to).map((append) => ({
          ...append,
          events: append.events.map((event) => ({ ...event, eventId: randomUUID() })),
        }));
        await store().appendToStreams(appends, { idempotencyKey: key });

        await store().appendToStreams(appends, { idempotencyKey: key, retry: true });

        expect(await amounts(to)).toEqual([0, 10]);
      });

      it('stores a key alone for a command that changed nothing, and refuses it to another request', async () => {
        const key = keyOf();
        await store().appendToStreams([], { idempotencyKey: key });

        await store().appendToStreams([], { idempotencyKey: key, retry: true });
        const error = await rejection(
          store().appendToStreams([], { idempotencyKey: { ...key, fingerprint: 'request-2' } }),
        );

        expect(await store().readIdempotencyKey(key.key)).toMatchObject({
          streams: [],
          eventIds: [],
        });
        expect(error).toBeInstanceOf(IdempotencyKeyInUseError);
      });

      it('frees a key once it has expired, whether or not it is deleted yet', async () => {
        const [from, to] = await twoStreams();
        const expired = keyOf('request-1', new Date(Date.now() - 1000));
        await store().appendToStreams([], { idempotencyKey: expired });

        expect(await store().readIdempotencyKey(expired.key)).toBeUndefined();
        await store().appendToStreams(transfer(from, to), {
          idempotencyKey: {
            ...expired,
            fingerprint: 'request-2',
            expiresAt: new Date(Date.now() + DAY_MS),
          },
        });
        expect(await store().readIdempotencyKey(expired.key)).toMatchObject({
          fingerprint: 'request-2',
        });
      });

      it('lets exactly one of 10 racing writes with the same key through', async () => {
        const key = keyOf();
        const streams = Array.from({ length: 10 }, () => newStream());

        const outcomes = await Promise.allSettled(
          streams.map((streamId) =>
            store().appendToStreams(
              [{ streamId, expectedVersion: 0, events: [moved(1), moved(2)] }],
              {
                idempotencyKey: key,
              },
            ),
          ),
        );

        expect(outcomes.filter(({ status }) => status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes)
          if (outcome.status === 'rejected')
            expect(outcome.reason).toBeInstanceOf(IdempotencyKeyInUseError);
        const versions = await Promise.all(
          streams.map((streamId) => store().readStreamVersion(streamId)),
        );
        expect(versions.sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
      });

      it.each([
        ['an empty key', { key: '' }, /idempotency key "" is not a non-empty string/],
        [
          'a key over 1,024 bytes',
          { key: 'k'.repeat(1025) },
          /1025 bytes is beyond the limit of 1024/,
        ],
        ['an empty fingerprint', { fingerprint: '' }, /fingerprint .* must be a non-empty string/],
        ['an invalid expiry', { expiresAt: new Date(NaN) }, /must be a valid Date/],
      ])('refuses %s with InvalidAppendError', async (_, change, message) => {
        const error = await rejection(
          store().appendToStreams([], { idempotencyKey: { ...keyOf(), ...change } }),
        );

        expect(error).toBeInstanceOf(InvalidAppendError);
        expect((error as Error).message).toMatch(message);
      });
    });
  });
}
