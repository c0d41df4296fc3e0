import { randomUUID } from 'node:crypto';
import type { Type } from '@nestjs/common';
import type { IEvent } from '@nestjs/cqrs';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type EventStore,
  EventTypeRegistry,
  type StoredEvent,
  streamIdOf,
} from '../../lib/index.js';
import {
  aggregateDocumentId,
  type ProjectionDefinition,
  type ProjectionEventHandler,
  ProjectionHandlerError,
  ProjectionProcessor,
  type ProjectionProcessorOptions,
  type ViewStore,
  type ViewWrite,
} from '../../lib/projections/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../fixtures/bank-account.js';

export interface StoresUnderTest {
  readonly events: EventStore;
  readonly views: ViewStore;
  readonly stop?: () => Promise<void>;
}

interface AccountSummary extends Record<string, unknown> {
  readonly owner: string;
  readonly balance: number;
}

/** The processor's guarantees, on a pair of stores: the DynamoDB ones, or the in-memory ones. */
export function describeProjectionProcessor(
  storesName: string,
  start: () => Promise<StoresUnderTest>,
): void {
  describe(`ProjectionProcessor on ${storesName}`, () => {
    let stores: StoresUnderTest;
    const registry = new EventTypeRegistry();
    registry.register('BankAccount', BANK_ACCOUNT_EVENTS);
    beforeAll(async () => {
      stores = await start();
    });
    afterAll(() => stores?.stop?.());

    /** A projection keeping each account's owner and balance, and a bank-wide total. */
    function accountsProjection(
      view = `accounts-${randomUUID().slice(0, 8)}`,
      failOn?: (event: IEvent) => boolean,
    ) {
      const handlers = new Map<Type<IEvent>, ProjectionEventHandler>([
        [
          AccountOpened,
          (event, update) => {
            update.set({ owner: (event as AccountOpened).owner, balance: 0 });
            update.increment('totals', { accounts: 1 });
          },
        ],
        [
          MoneyDeposited,
          (event, update) => {
            if (failOn?.(event)) throw new Error(`cannot take ${(event as MoneyDeposited).amount}`);
            const { amount } = event as MoneyDeposited;
            const summary = update.document as AccountSummary;
            update.set({ ...summary, balance: summary.balance + amount });
            update.increment('totals', { balance: amount });
          },
        ],
        [
          MoneyWithdrawn,
          (event, update) => {
            const { amount } = event as MoneyWithdrawn;
            const summary = update.document as AccountSummary;
            update.set({ ...summary, balance: summary.balance - amount });
            update.increment('totals', { balance: -amount });
          },
        ],
      ]);
      const definition: ProjectionDefinition = {
        name: `projection-${view}`,
        view,
        documentIdOf: aggregateDocumentId,
        handlers,
      };
      return definition;
    }

    function processorOf(
      projection: ProjectionDefinition,
      options: Partial<ProjectionProcessorOptions> = {},
    ) {
      return new ProjectionProcessor({
        eventStore: stores.events,
        registry,
        views: stores.views,
        projections: [projection],
        handlerBackoff: () => 1,
        ...options,
      });
    }

    /** An account's stream, opened with deposits; the stored events as a stream consumer would receive them. */
    async function account(...deposits: number[]): Promise<{ id: string; events: StoredEvent[] }> {
      const id = randomUUID();
      const streamId = streamIdOf('BankAccount', id);
      await stores.events.appendToStream(streamId, 0, [
        { type: 'AccountOpened', payload: new AccountOpened(id, 'Ada') },
        ...deposits.map((amount) => ({
          type: 'MoneyDeposited',
          payload: new MoneyDeposited(id, amount),
        })),
      ]);
      return {
        id,
        events: await lastValueFrom(stores.events.readStream(streamId).pipe(toArray())),
      };
    }

    const documentOf = async (projection: ProjectionDefinition, id: string) =>
      (await stores.views.read(projection.view, id))?.document;

    it('applies in-order events with one view write per stream and no read of the events table', async () => {
      const projection = accountsProjection();
      const a = await account(10, 20);
      const b = await account(5);

      const outcome = await processorOf(projection).apply([...a.events, ...b.events]);

      expect(outcome).toMatchObject({ applied: 5, viewWrites: 2, eventQueries: 0, redelivered: 0 });
      expect(await documentOf(projection, a.id)).toEqual({ owner: 'Ada', balance: 30 });
      expect(await documentOf(projection, b.id)).toEqual({ owner: 'Ada', balance: 5 });
      expect(await documentOf(projection, 'totals')).toEqual({ accounts: 2, balance: 35 });
    });

    it('applies a redelivered batch once: the second time is skipped, totals included', async () => {
      const projection = accountsProjection();
      const a = await account(10, 20);
      const processor = processorOf(projection);
      await processor.apply(a.events);

      const again = await processor.apply(a.events);
      await processor.apply([a.events[1]!, a.events[1]!]);

      expect(again).toMatchObject({ applied: 0, redelivered: 3, viewWrites: 0 });
      expect(await documentOf(projection, a.id)).toEqual({ owner: 'Ada', balance: 30 });
      expect(await documentOf(projection, 'totals')).toEqual({ accounts: 1, balance: 30 });
    });

    it('puts reordered events back in version order', async () => {
      const projection = accountsProjection();
      const a = await account(10, 20, 30);

      await processorOf(projection).apply([...a.events].reverse());

      expect(await documentOf(projection, a.id)).toEqual({ owner: 'Ada', balance: 60 });
    });

    it('fills a gap from the events table when records are missing, and applies every event once', async () => {
      const projection = accountsProjection();
      const a = await account(10, 20, 30, 40);
      const processor = processorOf(projection);

      const first = await processor.apply([a.events[0]!, a.events[3]!]);
      const late = await processor.apply([a.events[1]!, a.events[2]!, a.events[4]!]);

      expect(first).toMatchObject({ applied: 4, filledFromTable: 2, eventQueries: 1 });
      expect(late).toMatchObject({ applied: 1, redelivered: 2, eventQueries: 0 });
      expect(await documentOf(projection, a.id)).toEqual({ owner: 'Ada', balance: 100 });
      expect(await documentOf(projection, 'totals')).toEqual({ accounts: 1, balance: 100 });
    });

    it('applies events once when two instances process the same records at the same time', async () => {
      const projection = accountsProjection();
      const accounts = await Promise.all([account(1, 2), account(3, 4), account(5)]);
      const events = accounts.flatMap((a) => a.events);

      await Promise.all([
        processorOf(projection).apply(events),
        processorOf(projection).apply([...events].reverse()),
      ]);

      for (const a of accounts) {
        const expected = a.events
          .slice(1)
          .reduce((sum, e) => sum + (e.payload as MoneyDeposited).amount, 0);
        expect(await documentOf(projection, a.id)).toEqual({ owner: 'Ada', balance: expected });
      }
      expect(await documentOf(projection, 'totals')).toEqual({ accounts: 3, balance: 15 });
    });

    it('gives handlers instances of the event classes, and the envelope', async () => {
      const seen: unknown[] = [];
      const view = `seen-${randomUUID().slice(0, 8)}`;
      const projection: ProjectionDefinition = {
        name: view,
        view,
        documentIdOf: aggregateDocumentId,
        handlers: new Map([
          [
            MoneyDeposited,
            (event, update, envelope) => {
              seen.push([
                event instanceof MoneyDeposited,
                envelope.version,
                envelope.type,
                envelope.aggregateId,
              ]);
              update.set({ seen: true });
            },
          ],
        ]),
      };
      const a = await account(10);

      await processorOf(projection).apply(a.events);

      expect(seen).toEqual([[true, 2, 'MoneyDeposited', a.id]]);
    });

    describe('an event whose handler keeps failing', () => {
      it('is retried, then parked; the stream waits behind it, other streams go on', async () => {
        const failOn = (event: IEvent) => (event as MoneyDeposited).amount === 13;
        const projection = accountsProjection(undefined, failOn);
        const poisoned = await account(10, 13, 20);
        const healthy = await account(7);
        let attempts = 0;
        const parkedNotices: string[] = [];
        const processor = processorOf(projection, {
          onParked: (parked) => parkedNotices.push(`${parked.streamId}@${parked.version}`),
          handlerBackoff: () => {
            attempts++;
            return 1;
          },
        });

        const outcome = await processor.apply([...poisoned.events, ...healthy.events]);

        expect(outcome.parked).toBe(1);
        expect(attempts).toBe(2); // 3 attempts: 2 waits between them
        expect(await documentOf(projection, poisoned.id)).toEqual({ owner: 'Ada', balance: 10 });
        expect(await documentOf(projection, healthy.id)).toEqual({ owner: 'Ada', balance: 7 });
        expect(parkedNotices).toEqual([`BankAccount#${poisoned.id}@3`]);
        expect(await stores.views.listParked(projection.name)).toEqual([
          expect.objectContaining({
            streamId: `BankAccount#${poisoned.id}`,
            version: 3,
            eventType: 'MoneyDeposited',
            error: 'Error: cannot take 13',
            attempts: 3,
          }),
        ]);

        await stores.events.appendToStream(`BankAccount#${poisoned.id}`, 4, [
          { type: 'MoneyDeposited', payload: new MoneyDeposited(poisoned.id, 1) },
        ]);
        const later = await processor.apply(
          await lastValueFrom(
            stores.events
              .readStream(`BankAccount#${poisoned.id}`, { fromVersion: 5 })
              .pipe(toArray()),
          ),
        );
        expect(later.applied).toBe(0);
        expect(await documentOf(projection, poisoned.id)).toEqual({ owner: 'Ada', balance: 10 });
      });

      it('is applied, with the events behind it, when replayed once the handler is fixed', async () => {
        let broken = true;
        const projection = accountsProjection(
          undefined,
          (event) => broken && (event as MoneyDeposited).amount === 13,
        );
        const poisoned = await account(10, 13, 20);
        const processor = processorOf(projection);
        await processor.apply(poisoned.events);

        broken = false;
        const replay = await processor.replayParked(projection.name, `BankAccount#${poisoned.id}`);

        expect(replay).toMatchObject({ applied: 2, parked: 0 });
        expect(await documentOf(projection, poisoned.id)).toEqual({ owner: 'Ada', balance: 43 });
        expect(await stores.views.listParked(projection.name)).toEqual([]);
        expect(await documentOf(projection, 'totals')).toEqual({ accounts: 1, balance: 43 });
      });
    });

    it('parks an event the code cannot read (a schema version newer than it knows) instead of failing the batch', async () => {
      const projection = accountsProjection();
      const a = await account(10);
      const streamId = streamIdOf('BankAccount', a.id);
      await stores.events.appendToStream(streamId, 2, [
        { type: 'MoneyDeposited', schemaVersion: 9, payload: { accountId: a.id, amount: 1 } },
      ]);
      const events = await lastValueFrom(stores.events.readStream(streamId).pipe(toArray()));

      const outcome = await processorOf(projection).apply(events);

      expect(outcome).toMatchObject({ applied: 2, parked: 1 });
      expect(await stores.views.listParked(projection.name)).toEqual([
        expect.objectContaining({
          version: 3,
          error: expect.stringMatching(/^UnsupportedEventVersionError/) as string,
        }),
      ]);
    });

    it('throws a ProjectionHandlerError instead, when told to, once the events before it are written', async () => {
      const projection = accountsProjection(
        undefined,
        (event) => (event as MoneyDeposited).amount === 13,
      );
      const poisoned = await account(10, 13, 20);

      const error = await processorOf(projection, { handlerFailures: 'throw' })
        .apply(poisoned.events)
        .catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(ProjectionHandlerError);
      expect(error).toMatchObject({
        streamId: `BankAccount#${poisoned.id}`,
        version: 3,
        eventType: 'MoneyDeposited',
      });
      expect((error as Error).message).toMatch(/cannot take 13/);
      expect(await stores.views.read(projection.view, poisoned.id)).toMatchObject({
        document: { owner: 'Ada', balance: 10 },
        positions: { [`BankAccount#${poisoned.id}`]: 2 },
      });
      expect(await stores.views.listParked(projection.name)).toEqual([]);
    });

    it('passes a failure on only once the other streams of the batch are written', async () => {
      const projection = accountsProjection(
        undefined,
        (event) => (event as MoneyDeposited).amount === 13,
      );
      const poisoned = await account(10, 13);
      const healthy = await account(5);
      // The healthy document's write finishes a macrotask after the poisoned one's: later than a failure that
      // did not wait for it would surface.
      let healthyWritten = false;
      let poisonedWritten!: () => void;
      const afterPoisonedWrite = new Promise<void>((resolve) => (poisonedWritten = resolve));
      const views: ViewStore = Object.create(stores.views, {
        write: {
          value: async (change: ViewWrite) => {
            if (change.id === healthy.id) {
              await afterPoisonedWrite;
              await new Promise((resolve) => setTimeout(resolve, 0));
            }
            const result = await stores.views.write(change);
            if (change.id === poisoned.id) poisonedWritten();
            if (change.id === healthy.id) healthyWritten = true;
            return result;
          },
        },
      });

      const error = await processorOf(projection, { handlerFailures: 'throw', views })
        .apply([...healthy.events, ...poisoned.events])
        .catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(ProjectionHandlerError);
      expect(healthyWritten).toBe(true);
      expect(await stores.views.read(projection.view, healthy.id)).toMatchObject({
        document: { balance: 5 },
      });
    });

    it('refuses a projection of an event class that no aggregate registers', () => {
      class Unregistered {}
      const view = 'unregistered';
      expect(() =>
        processorOf({
          name: view,
          view,
          documentIdOf: aggregateDocumentId,
          handlers: new Map([[Unregistered, () => undefined]]),
        }),
      ).toThrow(/handles Unregistered, which no DynamoEventStoreModule.forFeature\(\) registers/);
    });
  });
}
