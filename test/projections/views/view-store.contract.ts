import { randomUUID } from 'node:crypto';
import type { ParkedEvent, ViewStore, ViewWrite } from '../../../lib/projections/index.js';
import { ViewDocumentError } from '../../../lib/projections/index.js';

export interface ViewStoreUnderTest {
  readonly store: ViewStore;
  readonly stop?: () => Promise<void>;
}

/** The ViewStore contract, run against each store; a failure names the store in its title. */
export function describeViewStoreContract(
  storeName: string,
  start: () => Promise<ViewStoreUnderTest>,
): void {
  describe(`ViewStore contract on ${storeName}`, () => {
    let underTest: ViewStoreUnderTest;
    let store: ViewStore;
    beforeAll(async () => {
      underTest = await start();
      store = underTest.store;
    });
    afterAll(() => underTest?.stop?.());

    const newView = () => `accounts-${randomUUID().slice(0, 8)}`;
    const write = (change: Partial<ViewWrite> & Pick<ViewWrite, 'view' | 'id'>) =>
      store.write({
        expectedRevision: 0,
        document: {},
        positions: {},
        parked: {},
        ...change,
      });
    const rejection = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        return error;
      }
      throw new Error('expected a rejection');
    };

    it('has nothing for a document never written', async () => {
      expect(await store.read(newView(), 'a-1')).toBeUndefined();
    });

    it('reads back a written document with its positions, at revision 1', async () => {
      const view = newView();

      expect(
        await write({
          view,
          id: 'a-1',
          document: {
            owner: 'Ada',
            balance: 5,
            tags: ['x'],
            address: { city: 'Paris' },
            closed: null,
          },
          positions: { 'Account#a-1': 2 },
        }),
      ).toBe('written');

      expect(await store.read(view, 'a-1')).toEqual({
        document: {
          owner: 'Ada',
          balance: 5,
          tags: ['x'],
          address: { city: 'Paris' },
          closed: null,
        },
        positions: { 'Account#a-1': 2 },
        parked: {},
        revision: 1,
      });
    });

    it('refuses a write computed from another revision, and keeps what was there', async () => {
      const view = newView();
      await write({ view, id: 'a-1', document: { balance: 1 } });

      expect(await write({ view, id: 'a-1', document: { balance: 99 } })).toBe('conflict');
      expect(await write({ view, id: 'a-1', expectedRevision: 5, document: { balance: 99 } })).toBe(
        'conflict',
      );
      expect((await store.read(view, 'a-1'))?.document).toEqual({ balance: 1 });
    });

    it('lets exactly one of 10 writers computing from the same revision write', async () => {
      const view = newView();
      await write({ view, id: 'a-1', document: { balance: 0 } });

      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, writer) =>
          write({ view, id: 'a-1', expectedRevision: 1, document: { balance: writer } }),
        ),
      );

      expect(outcomes.filter((outcome) => outcome === 'written')).toHaveLength(1);
      const winner = outcomes.indexOf('written');
      expect(await store.read(view, 'a-1')).toMatchObject({
        document: { balance: winner },
        revision: 2,
      });
    });

    it('stores a Date as its ISO string and leaves undefined fields out', async () => {
      const view = newView();

      await write({
        view,
        id: 'a-1',
        document: {
          openedAt: new Date('2026-12-01T10:00:00.000Z'),
          closedAt: undefined,
          nested: { at: new Date(0) },
        },
      });

      const { document } = (await store.read(view, 'a-1'))!;
      expect(document).toEqual({
        openedAt: '2026-12-01T10:00:00.000Z',
        nested: { at: '1970-01-01T00:00:00.000Z' },
      });
      expect(Object.keys(document!)).not.toContain('closedAt');
    });

    it.each([
      [
        'a class instance',
        { owner: new (class Person {})() },
        /field "owner" is an instance of Person/,
      ],
      ['a Map', { seen: new Map() }, /field "seen" is an instance of Map/],
      ['a bigint', { cents: 10n }, /field "cents" is a bigint/],
      ['an unsafe integer', { cents: 2 ** 60 }, /field "cents" is 1152921504606847000/],
      ['a field the store reserves', { __revision: 1 }, /starts with "__"/],
      [
        'more than 400 KB',
        { blob: 'x'.repeat(401 * 1024) },
        /above DynamoDB's limit of 409600 per item/,
      ],
      ['a document that is not an object', ['a'], /must be a plain object/],
    ])('refuses %s with ViewDocumentError, writing nothing', async (_, document, reason) => {
      const view = newView();

      const error = await rejection(write({ view, id: 'a-1', document: document as never }));

      expect(error).toBeInstanceOf(ViewDocumentError);
      expect((error as Error).message).toMatch(reason);
      expect(await store.read(view, 'a-1')).toBeUndefined();
    });

    it('deletes the data of a document but keeps its positions, so a redelivery cannot bring it back', async () => {
      const view = newView();
      await write({ view, id: 'a-1', document: { balance: 1 }, positions: { s: 1 } });

      await write({ view, id: 'a-1', expectedRevision: 1, document: null, positions: { s: 2 } });

      expect(await store.read(view, 'a-1')).toEqual({
        positions: { s: 2 },
        parked: {},
        revision: 2,
      });
    });

    it('adds increments to other documents in the same write, creating them', async () => {
      const view = newView();
      await write({
        view,
        id: 'a-1',
        document: { balance: 5 },
        increments: [{ id: 'totals', deltas: { balance: 5, accounts: 1 } }],
      });
      await write({
        view,
        id: 'a-2',
        document: { balance: 7 },
        increments: [{ id: 'totals', deltas: { balance: 7, accounts: 1 } }],
      });

      expect((await store.read(view, 'totals'))?.document).toEqual({ balance: 12, accounts: 2 });
    });

    it('adds no increment when the write it rides in is refused', async () => {
      const view = newView();
      await write({
        view,
        id: 'a-1',
        document: { balance: 5 },
        increments: [{ id: 'totals', deltas: { balance: 5 } }],
      });

      const refused = await write({
        view,
        id: 'a-1',
        document: { balance: 10 },
        increments: [{ id: 'totals', deltas: { balance: 5 } }],
      });

      expect(refused).toBe('conflict');
      expect((await store.read(view, 'totals'))?.document).toEqual({ balance: 5 });
    });

    it("lists a view's documents, leaving out deleted ones and other views'", async () => {
      const view = newView();
      await write({ view, id: 'a-1', document: { n: 1 } });
      await write({ view, id: 'a-2', document: { n: 2 } });
      await write({ view, id: 'a-3', document: null });
      await write({ view: newView(), id: 'a-4', document: { n: 4 } });

      const listed = [];
      for await (const batch of store.list(view)) listed.push(...batch);

      expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: 'a-1', document: { n: 1 } },
        { id: 'a-2', document: { n: 2 } },
      ]);
    });

    it('parks a stream with its document, lists it, and releases it', async () => {
      const view = newView();
      const parked: ParkedEvent = {
        projection: `projection-${view}`,
        view,
        documentId: 'a-1',
        streamId: 'Account#a-1',
        version: 3,
        eventId: 'e-3',
        eventType: 'MoneyDeposited',
        error: 'Error: boom',
        attempts: 3,
        parkedAt: new Date('2026-12-01T10:00:00.000Z'),
      };

      await write({
        view,
        id: 'a-1',
        document: { n: 1 },
        positions: { 'Account#a-1': 2 },
        parked: { 'Account#a-1': 3 },
        parkedEvent: parked,
      });

      expect((await store.read(view, 'a-1'))?.parked).toEqual({ 'Account#a-1': 3 });
      expect(await store.listParked(parked.projection)).toEqual([parked]);
      expect(await store.listParked('another projection')).toEqual([]);

      await write({
        view,
        id: 'a-1',
        expectedRevision: 1,
        document: { n: 1 },
        positions: { 'Account#a-1': 3 },
        unparkedStream: 'Account#a-1',
      });

      expect((await store.read(view, 'a-1'))?.parked).toEqual({});
      expect(await store.listParked(parked.projection)).toEqual([]);
    });

    it('keeps states by key, each written conditioned on its revision', async () => {
      const key = `projection#${newView()}`;
      const other = `${key}#segment#0`;

      expect(await store.writeState(key, { activeGeneration: 1 }, 0)).toBe('written');
      expect(await store.writeState(key, { activeGeneration: 9 }, 0)).toBe('conflict');
      expect(
        await store.writeState(key, { activeGeneration: 2, rebuild: { segments: 4 } }, 1),
      ).toBe('written');
      expect(await store.writeState(other, { done: true }, 0)).toBe('written');

      expect(await store.readStates([key, other, `${key}#missing`])).toEqual(
        new Map<string, unknown>([
          [key, { value: { activeGeneration: 2, rebuild: { segments: 4 } }, revision: 2 }],
          [other, { value: { done: true }, revision: 1 }],
        ]),
      );
    });

    it('reads more states at once than one request takes', async () => {
      const prefix = `many-${newView()}`;
      const keys = Array.from({ length: 130 }, (_, index) => `${prefix}#${index}`);
      await Promise.all(keys.map((key, index) => store.writeState(key, { index }, 0)));

      const states = await store.readStates(keys);

      expect(states.size).toBe(130);
      expect(states.get(`${prefix}#129`)).toEqual({ value: { index: 129 }, revision: 1 });
    });

    it('hands out copies: changing what was read changes nothing stored', async () => {
      const view = newView();
      await write({ view, id: 'a-1', document: { list: [1] } });

      const first = await store.read(view, 'a-1');
      (first!.document!.list as number[]).push(2);

      expect((await store.read(view, 'a-1'))?.document).toEqual({ list: [1] });
    });
  });
}
