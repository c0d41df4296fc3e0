import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
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

    expect(state).toEqual({ id: ID, owner: 'Ada', balance: 0, version: 1 });
  });

  it('deposits and withdraws, answering the new state', async () => {
    await commandScenario(app)
      .given(Account, ID, opened)
      .when(new DepositMoney(ID, 100))
      .thenStored(Account, ID, new MoneyDeposited(ID, 100));
    const state = await commandScenario(app)
      .when(new WithdrawMoney(ID, 30))
      .thenStored(Account, ID, new MoneyWithdrawn(ID, 30));

    expect(state).toMatchObject({ balance: 70, version: 3 });
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
});
