import { randomUUID } from 'node:crypto';
import {
  DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  DynamoEventStore,
  DynamoEventStoreModule,
  type EventRegistration,
  streamIdOf,
} from '../../../lib/index.js';
import {
  DynamoProjectionsModule,
  getViewRepositoryToken,
  Projection,
  ProjectionHandler,
  type ViewRepository,
  type ViewUpdate,
} from '../../../lib/projections/index.js';
import { AccountOpened, BankAccount, MoneyDeposited } from '../../fixtures/bank-account.js';
import { testClientConfig } from '../../support/dynamodb.js';
import { eventually } from '../../support/eventually.js';
import { seededRandom } from '../../support/seeded-random.js';
import { alterStreams } from '../streams/stream-alterations.js';
import { createProjectionTestTables } from '../../support/projection-tables.js';

interface Balance extends Record<string, unknown> {
  balance: number;
}

/** Each account's balance, and a bank-wide total kept exact by increments. */
@Projection('fault-balances')
class FaultBalances {
  @ProjectionHandler(AccountOpened)
  opened(_: AccountOpened, view: ViewUpdate<Balance>): void {
    view.set({ balance: 0 });
    view.increment('bank', { accounts: 1 });
  }

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, view: ViewUpdate<Balance>): void {
    view.set({ balance: view.document!.balance + event.amount });
    view.increment('bank', { balance: event.amount });
  }
}

/** MoneyDeposited at schema version 2: version 1 stored amounts in cents. */
const DEPOSITS_IN_CENTS: EventRegistration = {
  event: MoneyDeposited,
  version: 2,
  upcasters: {
    1: ({ accountId, cents }: { accountId: string; cents: number }) => ({
      accountId,
      amount: cents / 100,
    }),
  },
};

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([
      { aggregate: BankAccount, events: [AccountOpened, DEPOSITS_IN_CENTS] },
    ]),
    DynamoProjectionsModule.forFeature([FaultBalances]),
  ],
})
class BalancesModule {}

interface Tables {
  readonly eventsTable: string;
  readonly viewsTable: string;
  readonly leaseTable: string;
}

async function freshTables(): Promise<Tables> {
  const tables = await createProjectionTestTables();
  return tables;
}

const apps: TestingModule[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function startInstance(
  tables: Tables,
  streamsClient?: DynamoDBStreamsClient,
): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventStoreModule.forRoot({
        tableName: tables.eventsTable,
        clientConfig: testClientConfig(),
      }),
      DynamoProjectionsModule.forRoot({
        viewsTable: tables.viewsTable,
        leaseTable: tables.leaseTable,
        streamsClient,
        idleDelayMs: 50,
        failoverTimeMs: 1500,
        renewIntervalMs: 250,
      }),
      BalancesModule,
    ],
  }).compile();
  await app.init();
  apps.push(app);
  return app;
}

/** Opens accounts and makes deposits straight through the store; returns what each account's balance must be. */
async function depositsOn(store: DynamoEventStore, accounts: number, depositsEach: number) {
  const expected = new Map<string, number>();
  await Promise.all(
    Array.from({ length: accounts }, async (_, a) => {
      const id = randomUUID();
      const stream = streamIdOf('BankAccount', id);
      let version = (
        await store.appendToStream(stream, 0, [
          { type: 'AccountOpened', payload: new AccountOpened(id, 'Ada') },
        ])
      ).version;
      let balance = 0;
      for (let d = 0; d < depositsEach; d++) {
        const amount = 2 ** d + a;
        balance += amount;
        ({ version } = await store.appendToStream(stream, version, [
          { type: 'MoneyDeposited', schemaVersion: 2, payload: new MoneyDeposited(id, amount) },
        ]));
      }
      expected.set(id, balance);
    }),
  );
  return expected;
}

async function expectViewsToHold(app: TestingModule, expected: Map<string, number>) {
  const balances = app.get<ViewRepository<Balance>>(getViewRepositoryToken(FaultBalances));
  const total = [...expected.values()].reduce((sum, balance) => sum + balance, 0);
  await eventually(
    () => balances.get('bank'),
    (bank) => bank?.accounts === expected.size && bank.balance === total,
    { withinMs: 25_000 },
  );
  for (const [id, balance] of expected) expect(await balances.get(id)).toEqual({ balance });
  expect(await balances.get('bank')).toEqual({ accounts: expected.size, balance: total });
}

describe('projections fed by the stream, under what moto cannot do', () => {
  it('fills the gaps left by reordered and dropped records from the table, applying every event once', async () => {
    const tables = await freshTables();
    const random = seededRandom(20261201);
    let dropping = true;
    let dropped = 0;
    const streams = alterStreams(new DynamoDBStreamsClient(testClientConfig()), {
      GetRecordsCommand: async (input, forward) => {
        const output = await forward(input);
        const records: StreamRecord[] = [...(output.Records ?? [])].sort(() => random() - 0.5);
        const kept = dropping
          ? records.filter(() => random() > 0.3 || (dropped++, false))
          : records;
        return { ...output, Records: kept };
      },
    });
    const app = await startInstance(tables, streams);
    const store = app.get(DynamoEventStore);

    const expected = await depositsOn(store, 5, 6);
    // Records dropped at a stream's end leave nothing behind them to show the gap: the next event does.
    await eventually(
      () => Promise.resolve(dropped),
      (count) => count > 0,
    );
    dropping = false;
    for (const [id, balance] of expected) {
      const stream = streamIdOf('BankAccount', id);
      await store.appendToStream(stream, await store.readStreamVersion(stream), [
        { type: 'MoneyDeposited', schemaVersion: 2, payload: new MoneyDeposited(id, 1000) },
      ]);
      expected.set(id, balance + 1000);
    }

    await expectViewsToHold(app, expected);
    expect(dropped).toBeGreaterThan(0);
  });

  it('applies every event once with three instances competing for the stream', async () => {
    const tables = await freshTables();
    const instances = [
      await startInstance(tables),
      await startInstance(tables),
      await startInstance(tables),
    ];

    const expected = await depositsOn(instances[0]!.get(DynamoEventStore), 8, 4);

    for (const instance of instances) await expectViewsToHold(instance, expected);
  });

  it('hands the handlers upcast events: a stored version-1 deposit arrives in the current shape', async () => {
    const tables = await freshTables();
    const app = await startInstance(tables);
    const store = app.get(DynamoEventStore);
    const id = randomUUID();
    const stream = streamIdOf('BankAccount', id);

    await store.appendToStream(stream, 0, [
      { type: 'AccountOpened', payload: new AccountOpened(id, 'Ada') },
      { type: 'MoneyDeposited', schemaVersion: 1, payload: { accountId: id, cents: 1250 } },
    ]);

    await expectViewsToHold(app, new Map([[id, 12.5]]));
    const stored = await lastValueFrom(store.readStream(stream).pipe(toArray()));
    expect(stored[1]?.schemaVersion).toBe(1);
  });
});
