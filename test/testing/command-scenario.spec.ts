import { AssertionError } from 'node:assert';
import { Module } from '@nestjs/common';
import { CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AggregateRepository,
  DynamoEventStoreModule,
  InjectAggregateRepository,
} from '../../lib/index.js';
import {
  commandScenario,
  InMemoryEventStore,
  InMemoryEventStoreModule,
} from '../../lib/testing/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../fixtures/bank-account.js';

class Withdraw {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

/** Withdraws from one account, and with `alsoTo` deposits the same amount into another, in a second save. */
class Transfer {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly amount: number,
  ) {}
}

@CommandHandler(Withdraw)
class WithdrawHandler implements ICommandHandler<Withdraw> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  async execute({ accountId, amount }: Withdraw): Promise<number> {
    const account = await this.accounts.load(accountId);
    account.withdraw(amount);
    await this.accounts.save(account);
    return account.balance;
  }
}

@CommandHandler(Transfer)
class TransferHandler implements ICommandHandler<Transfer> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  async execute({ from, to, amount }: Transfer): Promise<void> {
    const source = await this.accounts.load(from);
    source.withdraw(amount);
    await this.accounts.save(source);
    const target = await this.accounts.load(to);
    if (!target.owner) throw new Error(`no account ${to}`);
    target.deposit(amount);
    await this.accounts.save(target);
  }
}

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
  ],
  providers: [WithdrawHandler, TransferHandler],
})
class AccountsModule {}

let app: TestingModule;

beforeAll(async () => {
  app = await Test.createTestingModule({
    imports: [CqrsModule.forRoot(), InMemoryEventStoreModule.forRoot(), AccountsModule],
  }).compile();
  await app.init();
});
afterAll(() => app.close());
beforeEach(() => app.get(InMemoryEventStore).clear());

const opened = (id: string, deposit: number) => [
  new AccountOpened(id, 'Ada'),
  new MoneyDeposited(id, deposit),
];

describe('commandScenario: given stored events, when a command is executed', () => {
  it('passes when exactly the expected events are stored and published, and gives the result', async () => {
    const balance = await commandScenario(app)
      .given(BankAccount, 'a-1', ...opened('a-1', 100))
      .when(new Withdraw('a-1', 30))
      .thenStored(BankAccount, 'a-1', new MoneyWithdrawn('a-1', 30));

    expect(balance).toBe(70);
  });

  it('fails when other events are stored', async () => {
    await expect(
      commandScenario(app)
        .given(BankAccount, 'a-1', ...opened('a-1', 100))
        .when(new Withdraw('a-1', 30))
        .thenStored(BankAccount, 'a-1', new MoneyWithdrawn('a-1', 40)),
    ).rejects.toThrow(/The events stored in "BankAccount#a-1" are not the ones expected/);
  });

  it('fails when events are stored in another stream too', async () => {
    await expect(
      commandScenario(app)
        .given(BankAccount, 'a-1', ...opened('a-1', 100))
        .given(BankAccount, 'a-2', ...opened('a-2', 0))
        .when(new Transfer('a-1', 'a-2', 30))
        .thenStored(BankAccount, 'a-1', new MoneyWithdrawn('a-1', 30)),
    ).rejects.toThrow(/also stored events in "BankAccount#a-2"/);
  });

  it('passes when the command throws the expected error and stores nothing', async () => {
    const error = await commandScenario(app)
      .given(BankAccount, 'a-1', ...opened('a-1', 10))
      .when(new Withdraw('a-1', 30))
      .thenThrows(/insufficient funds/);

    expect(error).toBeInstanceOf(Error);
  });

  it('fails when the command throws but stored events first', async () => {
    const failure = commandScenario(app)
      .given(BankAccount, 'a-1', ...opened('a-1', 100))
      .when(new Transfer('a-1', 'nobody', 30))
      .thenThrows(/no account nobody/);

    await expect(failure).rejects.toBeInstanceOf(AssertionError);
    await expect(
      commandScenario(app)
        .given(BankAccount, 'a-3', ...opened('a-3', 100))
        .when(new Transfer('a-3', 'nobody', 30))
        .thenThrows(),
    ).rejects.toThrow('The command threw, yet stored 1 and published 1 events');
  });

  it('fails when the command does not throw', async () => {
    await expect(
      commandScenario(app)
        .given(BankAccount, 'a-1', ...opened('a-1', 100))
        .when(new Withdraw('a-1', 30))
        .thenThrows(),
    ).rejects.toThrow('Expected the command to throw, but it did not');
  });

  it('says what is missing without the in-memory store', async () => {
    const withoutStore = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
    }).compile();

    await expect(
      commandScenario(withoutStore).when(new Withdraw('a-1', 1)).thenThrows(),
    ).rejects.toThrow(/needs the in-memory store: import InMemoryEventStoreModule.forRoot\(\)/);
  });
});
