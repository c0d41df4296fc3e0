import { CqrsModule, QueryBus } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { streamIdOf } from 'nestjs-dynamo-es';
import {
  commandScenario,
  InMemoryEventStore,
  InMemoryEventStoreModule,
  InMemoryProjectionsModule,
} from 'nestjs-dynamo-es/testing';
import { Account } from '../../sample/accounts/account.aggregate.js';
import { InsufficientFundsError } from '../../sample/accounts/account.errors.js';
import {
  AccountOpened,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../../sample/accounts/account.events.js';
import { AccountsModule } from '../../sample/accounts/accounts.module.js';
import { DepositMoney } from '../../sample/accounts/commands/deposit-money.command.js';
import { OpenAccount } from '../../sample/accounts/commands/open-account.command.js';
import { StaleAccountVersionError } from '../../sample/accounts/commands/stale-account-version.error.js';
import { WithdrawMoney } from '../../sample/accounts/commands/withdraw-money.command.js';
import { GetAccount } from '../../sample/accounts/queries/get-account.query.js';

/** The sample's command handlers, wired as in the app, on the in-memory store: no endpoint at all. */
let app: TestingModule;

beforeAll(async () => {
  app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      InMemoryEventStoreModule.forRoot(),
      InMemoryProjectionsModule.forRoot(),
      AccountsModule,
    ],
  }).compile();
  await app.init();
});
afterAll(() => app.close());
beforeEach(() => app.get(InMemoryEventStore).clear());

const ID = '0f8a4e5b-1f5e-4c3a-9d2b-7a6c5e4d3f21';
const opened = new AccountOpened(ID, 'Ada');

describe("the sample's commands, on the in-memory store", () => {
  it('opens an account', async () => {
    const state = await commandScenario(app)
      .when(new OpenAccount(ID, 'Ada'))
      .thenStored(Account, ID, opened);

    expect(state).toEqual({ id: ID, owner: 'Ada', balanceCents: 0, version: 1 });
  });

  it('deposits and withdraws, answering the new state', async () => {
    await commandScenario(app)
      .given(Account, ID, opened)
      .when(new DepositMoney(ID, 100))
      .thenStored(Account, ID, new MoneyDeposited(ID, 100));
    const state = await commandScenario(app)
      .when(new WithdrawMoney(ID, 30))
      .thenStored(Account, ID, new MoneyWithdrawn(ID, 30));

    expect(state).toMatchObject({ balanceCents: 70, version: 3 });
  });

  it('refuses a withdrawal beyond the balance, storing and publishing nothing', async () => {
    await commandScenario(app)
      .given(Account, ID, opened, new MoneyDeposited(ID, 10))
      .when(new WithdrawMoney(ID, 30))
      .thenThrows(InsufficientFundsError);
  });

  it('refuses a change at a version the account is no longer at', async () => {
    await commandScenario(app)
      .given(Account, ID, opened, new MoneyDeposited(ID, 10))
      .when(new DepositMoney(ID, 5, 1))
      .thenThrows(StaleAccountVersionError);
  });

  it('reads amounts stored before they were cents (schema version 1, in currency units) as cents', async () => {
    await app.get(InMemoryEventStore).appendToStream(streamIdOf('Account', ID), 0, [
      { type: 'AccountOpened', payload: { accountId: ID, owner: 'Ada' } },
      { type: 'MoneyDeposited', payload: { accountId: ID, amount: 30.1 }, schemaVersion: 1 },
      { type: 'MoneyWithdrawn', payload: { accountId: ID, amount: 0.29 }, schemaVersion: 1 },
    ]);

    const state = await app.get(QueryBus).execute(new GetAccount(ID));

    expect(state).toMatchObject({ balanceCents: 2981, version: 3 });
  });
});
