import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import type { IEvent } from '@nestjs/cqrs';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type EventStore,
  EventTypeRegistry,
  type NewEvent,
  type StoredEvent,
  streamIdOf,
} from '../../../lib/index.js';
import {
  aggregateDocumentId,
  type ProjectionDefinition,
  type ProjectionEventHandler,
  liveViewsOf,
  type ProcessingOutcome,
  ProjectionProcessor,
  RebuildInProgressError,
  type RebuildProgress,
  rebuildProjection,
  UnknownProjectionError,
  type ViewStore,
  viewOfGeneration,
} from '../../../lib/projections/index.js';
import { AccountOpened, BANK_ACCOUNT_EVENTS, MoneyDeposited } from '../../fixtures/bank-account.js';
import { seededRandom } from '../../support/seeded-random.js';

export interface RebuildStores {
  readonly events: EventStore;
  readonly views: ViewStore;
  /** Writes a new stream's events as appendToStream would, where appending that many at once is slow (moto). */
  readonly seedStream?: (streamId: string, events: readonly NewEvent[]) => Promise<void>;
  readonly stop?: () => Promise<void>;
}

interface Balance extends Record<string, unknown> {
  balance: number;
}

/** The rebuild's guarantees, on a pair of stores. */
export function describeRebuild(
  storesName: string,
  start: () => Promise<RebuildStores>,
  sizes: { readonly streams: number; readonly eventsEach: number },
): void {
  describe(`rebuild and catch-up on ${storesName}`, () => {
    let stores: RebuildStores;
    const registry = new EventTypeRegistry();
    registry.register('BankAccount', BANK_ACCOUNT_EVENTS);
    // A rebuild reads the whole table: each test has tables of its own.
    beforeEach(async () => {
      stores = await start();
    });
    afterEach(() => stores?.stop?.());

    function balances(): ProjectionDefinition {
      const view = `balances-${randomUUID().slice(0, 8)}`;
      const handlers = new Map<new (...args: never[]) => IEvent, ProjectionEventHandler>([
        [
          AccountOpened,
          (_, update) => {
            update.set({ balance: 0 });
            update.increment('bank', { accounts: 1 });
          },
        ],
        [
          MoneyDeposited,
          (event, update) => {
            const { amount } = event as MoneyDeposited;
            update.set({ balance: (update.document as Balance).balance + amount });
            update.increment('bank', { balance: amount });
          },
        ],
      ]);
      return { name: view, view, documentIdOf: aggregateDocumentId, handlers: handlers as never };
    }

    /** Accounts opened with deposits of 1..eventsEach-1, one atomic append per stream, a few streams at a time. */
    async function seed(streams: number, eventsEach: number): Promise<string[]> {
      const streamIds = Array.from({ length: streams }, () =>
        streamIdOf('BankAccount', randomUUID()),
      );
      const seedStream =
        stores.seedStream ??
        (async (streamId: string, events: readonly NewEvent[]) => {
          await stores.events.appendToStream(streamId, 0, events);
        });
      const appendAll = async (ids: readonly string[]) => {
        for (const streamId of ids) {
          const id = aggregateDocumentId(streamId);
          await seedStream(streamId, [
            { type: 'AccountOpened', payload: new AccountOpened(id, 'owner') },
            ...Array.from({ length: eventsEach - 1 }, (_, i) => ({
              type: 'MoneyDeposited',
              payload: new MoneyDeposited(id, i + 1),
            })),
          ]);
        }
      };
      const lanes = 4;
      await Promise.all(
        Array.from({ length: lanes }, (_, lane) =>
          appendAll(streamIds.filter((_, i) => i % lanes === lane)),
        ),
      );
      return streamIds;
    }

    const processorOf = (projection: ProjectionDefinition) =>
      new ProjectionProcessor({
        eventStore: stores.events,
        registry,
        views: stores.views,
        projections: [projection],
      });

    /** The live path: what the runner does with the records of new events, to the served and the rebuilt views. */
    async function applyLive(processor: ProjectionProcessor, events: readonly StoredEvent[]) {
      await processor.apply(events, await liveViewsOf(stores.views, processor.definitions));
    }

    /** Every stream's balance, as the table holds them. */
    async function foldOf(streamIds: readonly string[]): Promise<Map<string, number>> {
      const balances = new Map<string, number>();
      for (const streamId of streamIds) {
        const events = await lastValueFrom(stores.events.readStream(streamId).pipe(toArray()));
        balances.set(
          streamId,
          events.reduce((sum, e) => sum + ((e.payload as { amount?: number }).amount ?? 0), 0),
        );
      }
      return balances;
    }

    async function expectGenerationToHold(
      projection: ProjectionDefinition,
      generation: number,
      balancesByStream: ReadonlyMap<string, number>,
    ) {
      const view = viewOfGeneration(projection.view, generation);
      let total = 0;
      for (const [streamId, balance] of balancesByStream) {
        expect((await stores.views.read(view, aggregateDocumentId(streamId)))?.document).toEqual({
          balance,
        });
        total += balance;
      }
      expect((await stores.views.read(view, 'bank'))?.document).toEqual({
        accounts: balancesByStream.size,
        balance: total,
      });
    }

    it('builds a new generation from the whole table while writes go on, then serves it', async () => {
      const projection = balances();
      const processor = processorOf(projection);
      const streamIds = await seed(sizes.streams, sizes.eventsEach);
      // What the table holds, kept as the writes below go on: a fold of 20,000 events read back would take moto
      // longer than the rebuild.
      const seededBalance = (sizes.eventsEach * (sizes.eventsEach - 1)) / 2;
      const balancesByStream = new Map(streamIds.map((id) => [id, seededBalance]));
      const versions = new Map(streamIds.map((id) => [id, sizes.eventsEach]));
      const random = seededRandom(11);
      const progress: RebuildProgress[] = [];
      let rebuilding = true;
      let written = 0;
      const writes = (async () => {
        while (rebuilding) {
          const streamId = streamIds[Math.floor(random() * streamIds.length)]!;
          const payload = new MoneyDeposited(aggregateDocumentId(streamId), 1);
          const { events } = await stores.events.appendToStream(streamId, versions.get(streamId)!, [
            { type: 'MoneyDeposited', payload },
          ]);
          versions.set(streamId, events.at(-1)!.version);
          balancesByStream.set(streamId, balancesByStream.get(streamId)! + payload.amount);
          written++;
          // As the stream's record would bring them to the runner.
          await applyLive(
            processor,
            events.map((event) => ({ ...event, streamId, payload: { ...payload } })),
          );
          // The in-memory store answers without I/O: without a turn of the event loop, this loop would keep the
          // rebuild's timers (a conflict's backoff) from ever firing.
          await new Promise(setImmediate);
        }
      })();

      const done = await rebuildProjection(
        { eventStore: stores.events, views: stores.views, processor },
        projection.name,
        { segments: 4, onProgress: (p) => progress.push(p), progressIntervalMs: 0 },
      );
      rebuilding = false;
      await writes;

      expect(done).toMatchObject({
        status: 'done',
        generation: 2,
        segments: 4,
        segmentsDone: 4,
        streamsDone: streamIds.length,
      });
      // Live delivery fills some streams' gaps itself, reading them from the table: the rebuild reads the rest.
      expect(done.eventsRead).toBeGreaterThan(0);
      expect(done.eventsRead).toBeLessThanOrEqual(sizes.streams * sizes.eventsEach + written);
      expect(written).toBeGreaterThan(0);
      expect(progress.some((p) => p.status === 'running' && p.eventsPerSecond > 0)).toBe(true);
      expect(progress.at(-1)).toEqual(done);
      expect(
        (await stores.views.readStates([`projection#${projection.name}`])).get(
          `projection#${projection.name}`,
        )?.value,
      ).toEqual({
        activeGeneration: 2,
      });
      await expectGenerationToHold(projection, 2, balancesByStream);
    });

    it('resumes an interrupted rebuild without reading its finished segments again', async () => {
      const projection = balances();
      const processor = processorOf(projection);
      const streamIds = await seed(40, 3);
      const abort = new AbortController();
      const first = await rebuildProjection(
        { eventStore: stores.events, views: stores.views, processor },
        projection.name,
        {
          segments: 4,
          progressIntervalMs: 0,
          signal: abort.signal,
          onProgress: ({ segmentsDone }) => {
            if (segmentsDone >= 1) abort.abort();
          },
        },
      );
      const catchUps = jest.spyOn(processor, 'catchUpStream');

      const second = await rebuildProjection(
        { eventStore: stores.events, views: stores.views, processor },
        projection.name,
        {
          segments: 4,
        },
      );

      expect(first.status).toBe('stopped');
      expect(first.segmentsDone).toBeGreaterThanOrEqual(1);
      expect(second).toMatchObject({
        status: 'done',
        generation: first.generation,
        streamsDone: streamIds.length,
      });
      // The streams of finished segments are not caught up again, and each event is read once over both runs.
      const checkpointed = streamIds.length - catchUps.mock.calls.length;
      expect(checkpointed).toBeGreaterThanOrEqual(1);
      expect(checkpointed).toBeLessThanOrEqual(first.streamsDone);
      const outcomes = await Promise.all(
        catchUps.mock.results.map(({ value }) => value as Promise<ProcessingOutcome>),
      );
      const readAgain = outcomes.reduce((sum, { filledFromTable }) => sum + filledFromTable, 0);
      expect(first.eventsRead + readAgain).toBe(streamIds.length * 3);
      await expectGenerationToHold(projection, first.generation, await foldOf(streamIds));
    });

    it('catches the served generation up from its positions, for a runner that was away too long', async () => {
      const projection = balances();
      const processor = processorOf(projection);
      const streamIds = await seed(10, 2);
      const firstEvents = await Promise.all(
        streamIds.map((id) =>
          lastValueFrom(stores.events.readStream(id, { toVersion: 1 }).pipe(toArray())),
        ),
      );
      await processor.apply(firstEvents.flat());

      const done = await rebuildProjection(
        { eventStore: stores.events, views: stores.views, processor },
        projection.name,
        {
          mode: 'catch-up',
        },
      );

      expect(done).toMatchObject({ status: 'done', mode: 'catch-up', generation: 1 });
      expect(done.eventsRead).toBe(streamIds.length); // the second event of each stream only
      await expectGenerationToHold(projection, 1, await foldOf(streamIds));
    });

    it('refuses a rebuild of another mode while one is in progress, and a projection it does not run', async () => {
      const projection = balances();
      const processor = processorOf(projection);
      await seed(8, 1);
      const abort = new AbortController();
      abort.abort();
      await rebuildProjection(
        { eventStore: stores.events, views: stores.views, processor },
        projection.name,
        { signal: abort.signal },
      );

      await expect(
        rebuildProjection(
          { eventStore: stores.events, views: stores.views, processor },
          projection.name,
          { mode: 'catch-up' },
        ),
      ).rejects.toBeInstanceOf(RebuildInProgressError);
      await expect(
        rebuildProjection(
          { eventStore: stores.events, views: stores.views, processor },
          'nothing-of-that-name',
        ),
      ).rejects.toThrow(UnknownProjectionError);
    });
  });
}
