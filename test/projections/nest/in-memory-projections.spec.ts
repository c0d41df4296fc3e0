import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AggregateRepository,
  DynamoEventStoreModule,
  getAggregateRepositoryToken,
  getEventEnvelope,
} from '../../../lib/index.js';
import {
  DynamoProjectionsModule,
  getViewRepositoryToken,
  InMemoryViewStore,
  Projection,
  ProjectionHandler,
  Projections,
  type ViewRepository,
  type ViewUpdate,
} from '../../../lib/projections/index.js';
import {
  InMemoryEventStore,
  InMemoryEventStoreModule,
  InMemoryProjectionRunner,
  InMemoryProjectionsModule,
} from '../../../lib/testing/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../../fixtures/bank-account.js';

interface AccountSummary extends Record<string, unknown> {
  id: string;
  owner: string;
  balance: number;
}

@Projection('account-directory')
class AccountDirectory {
  /** A bug to fix: negative amounts were never expected. */
  static refusesNegativeAmounts = true;

  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<AccountSummary>): void {
    view.set({ id: event.accountId, owner: event.owner, balance: 0 });
    view.increment('bank', { accounts: 1 });
  }

  @ProjectionHandler(MoneyDeposited, MoneyWithdrawn)
  moved(event: MoneyDeposited | MoneyWithdrawn, view: ViewUpdate<AccountSummary>): void {
    if (AccountDirectory.refusesNegativeAmounts && event.amount < 0) {
      throw new RangeError(`unexpected amount ${event.amount}`);
    }
    const delta = event instanceof MoneyDeposited ? event.amount : -event.amount;
    view.set({ ...view.document!, balance: view.document!.balance + delta });
    view.increment('bank', { balance: delta });
  }
}

@EventsHandler(MoneyDeposited)
class DepositLog implements IEventHandler<MoneyDeposited> {
  static seen: { amount: number; redelivered: boolean }[] = [];
  handle(event: MoneyDeposited): void {
    DepositLog.seen.push({
      amount: event.amount,
      redelivered: getEventEnvelope(event)?.redelivered === true,
    });
  }
}

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
    DynamoProjectionsModule.forFeature([AccountDirectory]),
  ],
  providers: [DepositLog],
})
class AccountsModule {}

async function startApp(
  store = new InMemoryEventStore(),
  redeliverToEventBus = false,
): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      InMemoryEventStoreModule.forRoot({ store }),
      InMemoryProjectionsModule.forRoot({ redeliverToEventBus }),
      AccountsModule,
    ],
  }).compile();
  await app.init();
  return app;
}

describe('projections on the in-memory stores', () => {
  let app: TestingModule;
  beforeEach(async () => {
    DepositLog.seen = [];
    app = await startApp();
  });
  afterEach(() => app.close());

  const accounts = () =>
    app.get<AggregateRepository<BankAccount>>(getAggregateRepositoryToken(BankAccount));
  const directory = () =>
    app.get<ViewRepository<AccountSummary>>(getViewRepositoryToken(AccountDirectory));

  async function openAccount(owner: string, ...deposits: number[]): Promise<string> {
    const account = await accounts().load(randomUUID());
    account.open(owner);
    for (const amount of deposits) account.deposit(amount);
    await accounts().save(account);
    return account.id;
  }

  it('keeps the view of a @Projection() registered with forFeature, read through its ViewRepository', async () => {
    const ada = await openAccount('Ada', 100, 20);
    const bob = await openAccount('Bob', 5);

    await app.get(InMemoryProjectionRunner).settled();

    expect(await directory().get(ada)).toEqual({ id: ada, owner: 'Ada', balance: 120 });
    expect((await directory().list()).map((summary) => summary.owner).sort()).toEqual([
      'Ada',
      'Bob',
      undefined,
    ]);
    expect(await directory().get('bank')).toEqual({ accounts: 2, balance: 125 });
    expect(await directory().positionOf(bob, `BankAccount#${bob}`)).toBe(2);
  });

  it('catches up with what the store held before the application started', async () => {
    const store = app.get(InMemoryEventStore);
    const ada = await openAccount('Ada', 7);
    await app.close();

    app = await startApp(store);
    await app.get(InMemoryProjectionRunner).settled();

    expect(await directory().get(ada)).toEqual({ id: ada, owner: 'Ada', balance: 7 });
  });

  it('parks an event whose handler keeps failing, and applies it once fixed and replayed', async () => {
    const id = await openAccount('Ada', 10);
    const account = await accounts().load(id);
    account.deposit(-4);
    account.deposit(1);
    await accounts().save(account);
    await app.get(InMemoryProjectionRunner).settled();
    const projections = app.get(Projections);

    expect(await projections.parked('account-directory')).toEqual([
      expect.objectContaining({
        streamId: `BankAccount#${id}`,
        version: 3,
        eventType: 'MoneyDeposited',
        error: 'RangeError: unexpected amount -4',
      }),
    ]);
    expect(await directory().get(id)).toEqual({ id, owner: 'Ada', balance: 10 });

    AccountDirectory.refusesNegativeAmounts = false;
    try {
      await projections.replay('account-directory', `BankAccount#${id}`);
    } finally {
      AccountDirectory.refusesNegativeAmounts = true;
    }

    expect(await directory().get(id)).toEqual({ id, owner: 'Ada', balance: 7 });
    expect(await projections.parked()).toEqual([]);
  });

  it('rebuilds a projection beside the one it serves, then serves the new generation and keeps it up to date', async () => {
    const id = await openAccount('Ada', 10);
    const account = await accounts().load(id);
    account.deposit(-4);
    await accounts().save(account);
    await app.get(InMemoryProjectionRunner).settled();
    const projections = app.get(Projections);
    expect(await directory().get(id)).toEqual({ id, owner: 'Ada', balance: 10 });

    AccountDirectory.refusesNegativeAmounts = false;
    const servedWhileRebuilding: Promise<AccountSummary | undefined>[] = [];
    try {
      const done = await projections.rebuild('account-directory', {
        progressIntervalMs: 0,
        onProgress: ({ status }) => {
          if (status === 'running') servedWhileRebuilding.push(directory().get(id));
        },
      });
      expect(done).toMatchObject({
        status: 'done',
        generation: 2,
        streamsDone: 1,
        eventsApplied: 3,
      });
    } finally {
      AccountDirectory.refusesNegativeAmounts = true;
    }

    expect(await Promise.all(servedWhileRebuilding)).toEqual(
      servedWhileRebuilding.map(() => ({ id, owner: 'Ada', balance: 10 })),
    );
    expect(servedWhileRebuilding.length).toBeGreaterThan(0);
    expect(await projections.stateOf('account-directory')).toEqual({ activeGeneration: 2 });
    expect(await directory().get(id)).toEqual({ id, owner: 'Ada', balance: 6 });
    expect(await directory().get('bank')).toEqual({ accounts: 1, balance: 6 });
    // The generation served before is left as it was, beside the new one.
    expect((await app.get(InMemoryViewStore).read('account-directory', id))?.document).toEqual({
      id,
      owner: 'Ada',
      balance: 10,
    });

    account.deposit(1);
    await accounts().save(account);
    await app.get(InMemoryProjectionRunner).settled();

    expect(await directory().get(id)).toEqual({ id, owner: 'Ada', balance: 7 });
  });

  it('redelivers stream events to @EventsHandler()s when asked, marked as redelivered', async () => {
    await app.close();
    app = await startApp(new InMemoryEventStore(), true);

    await openAccount('Ada', 3);
    await app.get(InMemoryProjectionRunner).settled();

    expect(DepositLog.seen).toEqual([
      { amount: 3, redelivered: false },
      { amount: 3, redelivered: true },
    ]);
  });
});
