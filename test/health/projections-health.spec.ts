import { randomUUID } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AggregateRepository,
  DynamoEventStoreModule,
  getAggregateRepositoryToken,
} from '../../lib/index.js';
import {
  EventStoreHealthIndicator,
  EventStoreHealthModule,
  type ProjectionsHealth,
} from '../../lib/health/index.js';
import {
  DynamoProjectionsModule,
  Projection,
  ProjectionHandler,
  Projections,
  type StreamRunnerStatus,
  StreamRunnerHost,
  type ViewUpdate,
} from '../../lib/projections/index.js';
import {
  InMemoryEventStoreModule,
  InMemoryProjectionRunner,
  InMemoryProjectionsModule,
} from '../../lib/testing/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
} from '../fixtures/bank-account.js';

@Projection('balances')
class Balances {
  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<{ balance: number }>): void {
    view.set({ balance: 0 });
  }

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, view: ViewUpdate<{ balance: number }>): void {
    if (event.amount < 0) throw new RangeError(`unexpected amount ${event.amount}`);
    view.set({ balance: view.document!.balance + event.amount });
  }
}

@Projection('owners')
class Owners {
  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<{ owner: string }>): void {
    view.set({ owner: event.owner });
  }
}

/** The status a runner reports: what the indicator reads of a StreamRunnerHost. */
let runnerStatus: StreamRunnerStatus | undefined;

@Global()
@Module({
  providers: [{ provide: StreamRunnerHost, useValue: { status: () => runnerStatus } }],
  exports: [StreamRunnerHost],
})
class FakeRunnerModule {}

let app: TestingModule;

beforeEach(async () => {
  runnerStatus = undefined;
  app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      InMemoryEventStoreModule.forRoot(),
      InMemoryProjectionsModule.forRoot({ handlerAttempts: 1 }),
      DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
      DynamoProjectionsModule.forFeature([Balances, Owners]),
      FakeRunnerModule,
      EventStoreHealthModule,
    ],
  }).compile();
  await app.init();
});
afterEach(() => app.close());

const health = () => app.get(EventStoreHealthIndicator);

async function openAccount(...deposits: number[]): Promise<string> {
  const accounts = app.get<AggregateRepository<BankAccount>>(
    getAggregateRepositoryToken(BankAccount),
  );
  const account = await accounts.load(randomUUID());
  account.open('Ada');
  for (const amount of deposits) account.deposit(amount);
  await accounts.save(account);
  await app.get(InMemoryProjectionRunner).settled();
  return account.id;
}

/** The projections check's details. */
async function report(): Promise<ProjectionsHealth> {
  const { projections } = await health().projections();
  return projections as unknown as ProjectionsHealth;
}

describe('the health of the projections', () => {
  it('is up with every projection, nothing parked and no rebuild', async () => {
    await openAccount(10);

    expect(await health().projections()).toEqual({
      projections: {
        status: 'up',
        projections: {
          balances: { parked: 0, activeGeneration: 1 },
          owners: { parked: 0, activeGeneration: 1 },
        },
      },
    });
  });

  it('is down once a projection has more parked streams than allowed, up within the threshold', async () => {
    const id = await openAccount(10, -4);

    const down = await health().projections();
    expect(down).toEqual({
      projections: {
        status: 'down',
        projections: {
          balances: { parked: 1, activeGeneration: 1 },
          owners: { parked: 0, activeGeneration: 1 },
        },
        reasons: [
          'Projection "balances" has 1 parked stream (at most 0 allowed): fix the handler, then replay them ' +
            '(Projections.replay).',
        ],
      },
    });
    expect(await app.get(Projections).parked('balances')).toEqual([
      expect.objectContaining({ streamId: `BankAccount#${id}` }),
    ]);

    expect(await health().projections('views', { maxParked: 1 })).toMatchObject({
      views: { status: 'up', projections: { balances: { parked: 1 } } },
    });
  });

  it('reports the stream runner lag, down above maxLagMs', async () => {
    runnerStatus = {
      workerId: 'worker-1',
      leases: [
        { shardId: 'shard-1', checkpoint: '12', owned: true, lagMs: 1_500 },
        { shardId: 'shard-2', checkpoint: '40', owned: true, lagMs: 90_000 },
        // Another worker's: its lag is not known here.
        { shardId: 'shard-3', checkpoint: '7', owned: false },
      ],
    };

    expect(await health().projections()).toMatchObject({
      projections: {
        status: 'down',
        lagMs: 90_000,
        reasons: [
          'The stream runner handled records 90000 ms old (at most 60000 ms allowed): the projections fall ' +
            'behind the events table.',
        ],
      },
    });
    expect(await health().projections('projections', { maxLagMs: 120_000 })).toMatchObject({
      projections: { status: 'up', lagMs: 90_000 },
    });
  });

  it('reports a rebuild in progress, with its generation, start and checkpointed progress, and stays up', async () => {
    await openAccount(10);
    await openAccount(5);
    // Stopped before its streams are read (a stop after the first stream races the other segment's): the plan
    // stays saved, to be resumed.
    const stopped = await app.get(Projections).rebuild('owners', {
      segments: 2,
      signal: AbortSignal.abort(),
    });
    expect(stopped.status).toBe('stopped');
    const { rebuild: plan } = await app.get(Projections).stateOf('owners');

    const result = await health().projections();

    expect(result).toEqual({
      projections: {
        status: 'up',
        projections: {
          balances: { parked: 0, activeGeneration: 1 },
          owners: {
            parked: 0,
            activeGeneration: 1,
            rebuild: {
              mode: 'rebuild',
              generation: 2,
              startedAt: plan!.startedAt,
              segments: 2,
              segmentsDone: expect.any(Number) as unknown,
              streamsDone: expect.any(Number) as unknown,
              eventsRead: expect.any(Number) as unknown,
            },
          },
        },
      },
    });
    // Saved after each page of streams: at most what the stopped run had reached.
    const { rebuild } = (await report()).projections.owners!;
    expect(rebuild!.segmentsDone).toBe(stopped.segmentsDone);
    expect(rebuild!.streamsDone).toBeLessThanOrEqual(stopped.streamsDone);

    await app.get(Projections).rebuild('owners');
    expect((await report()).projections.owners).toEqual({ parked: 0, activeGeneration: 2 });
  });
});

describe('the projections check without projections', () => {
  it('is down and says what to import', async () => {
    const bare = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), InMemoryEventStoreModule.forRoot(), EventStoreHealthModule],
    }).compile();
    await bare.init();
    try {
      expect(await bare.get(EventStoreHealthIndicator).projections()).toEqual({
        projections: {
          status: 'down',
          reasons: [expect.stringContaining('import DynamoProjectionsModule.forRoot()') as unknown],
        },
      });
    } finally {
      await bare.close();
    }
  });
});
