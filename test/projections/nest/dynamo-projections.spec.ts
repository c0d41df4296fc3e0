import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AggregateRepository,
  DynamoEventStoreModule,
  getAggregateRepositoryToken,
} from '../../../lib/index.js';
import {
  DynamoProjectionsModule,
  getViewRepositoryToken,
  Projection,
  ProjectionHandler,
  type ViewRepository,
  type ViewUpdate,
} from '../../../lib/projections/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../../fixtures/bank-account.js';
import { testClientConfig } from '../../support/dynamodb.js';
import { eventually } from '../../support/eventually.js';
import { createProjectionTestTables } from '../../support/projection-tables.js';

interface AccountSummary extends Record<string, unknown> {
  owner: string;
  balance: number;
  events: number;
}

@Projection('balances')
class Balances {
  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<AccountSummary>): void {
    view.set({ owner: event.owner, balance: 0, events: 1 });
  }

  @ProjectionHandler(MoneyDeposited, MoneyWithdrawn)
  moved(event: MoneyDeposited | MoneyWithdrawn, view: ViewUpdate<AccountSummary>): void {
    const { balance, events } = view.document!;
    const delta = event instanceof MoneyDeposited ? event.amount : -event.amount;
    view.set({ ...view.document!, balance: balance + delta, events: events + 1 });
  }
}

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([
      { aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS, snapshot: { every: 3 } },
    ]),
    DynamoProjectionsModule.forFeature([Balances]),
  ],
})
class AccountsModule {}

let app: TestingModule;

beforeAll(async () => {
  const { eventsTable, viewsTable, leaseTable } = await createProjectionTestTables();
  app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventStoreModule.forRoot({ tableName: eventsTable, clientConfig: testClientConfig() }),
      DynamoProjectionsModule.forRoot({
        viewsTable,
        leaseTable,
        idleDelayMs: 50,
        failoverTimeMs: 1500,
      }),
      AccountsModule,
    ],
  }).compile();
  await app.init();
});
afterAll(() => app?.close());

describe('DynamoProjectionsModule on the table’s DynamoDB stream', () => {
  it('applies every saved event to the view once, skipping snapshots, in version order', async () => {
    const accounts = app.get<AggregateRepository<BankAccount>>(
      getAggregateRepositoryToken(BankAccount),
    );
    const balances = app.get<ViewRepository<AccountSummary>>(getViewRepositoryToken(Balances));
    const account = await accounts.load(randomUUID());
    account.open('Ada');
    await accounts.save(account);
    for (const amount of [10, 20, 30, 40]) {
      account.deposit(amount);
      await accounts.save(account); // every third version also writes a snapshot item
    }
    account.withdraw(15);
    await accounts.save(account);

    const summary = await eventually(
      () => balances.get(account.id),
      (found) => found?.events === 6,
    );

    expect(summary).toEqual({ owner: 'Ada', balance: 85, events: 6 });
    expect(await balances.positionOf(account.id, `BankAccount#${account.id}`)).toBe(6);
  });

  it('applies an event whose payload the table holds compressed, decoded from the stream’s binary attribute', async () => {
    const accounts = app.get<AggregateRepository<BankAccount>>(
      getAggregateRepositoryToken(BankAccount),
    );
    const balances = app.get<ViewRepository<AccountSummary>>(getViewRepositoryToken(Balances));
    const owner = 'Ada Lovelace, Countess of Lovelace; '.repeat(60);
    const account = await accounts.load(randomUUID());
    account.open(owner);
    await accounts.save(account);

    const summary = await eventually(
      () => balances.get(account.id),
      (found) => found?.events === 1,
    );

    expect(JSON.stringify({ owner }).length).toBeGreaterThan(1024);
    expect(summary).toEqual({ owner, balance: 0, events: 1 });
  });
});
