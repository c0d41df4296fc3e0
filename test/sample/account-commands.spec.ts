import { randomUUID } from 'node:crypto';
import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { IdempotencyKeyMismatchError, streamIdOf } from 'nestjs-dynamo-es';
import {
  commandScenario,
  InMemoryEventStore,
  InMemoryEventStoreModule,
  InMemoryProjectionsModule,
} from 'nestjs-dynamo-es/testing';
import { Account } from '../../sample/accounts/account.aggregate.js';
import {
  AccountNotFoundError,
  InsufficientFundsError,
  SameAccountTransferError,
  TransferBalanceLimitError,
} from '../../sample/accounts/account.errors.js';
import {
  AccountOpened,
  MoneyDeposited,
  MoneyTransferredIn,
  MoneyTransferredOut,
  MoneyWithdrawn,
} from '../../sample/accounts/account.events.js';
import { AccountsModule } from '../../sample/accounts/accounts.module.js';
import { RepeatedRefusal } from '../../sample/accounts/commands/decide-once.js';
import { DepositMoney } from '../../sample/accounts/commands/deposit-money.command.js';
import { OpenAccount } from '../../sample/accounts/commands/open-account.command.js';
import { StaleAccountVersionError } from '../../sample/accounts/commands/stale-account-version.error.js';
import { TransferMoney } from '../../sample/accounts/commands/transfer-money.command.js';
import { WithdrawMoney } from '../../sample/accounts/commands/withdraw-money.command.js';
import { MAX_BALANCE_CENTS } from '../../sample/accounts/money.js';
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
const OTHER_ID = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const opened = new AccountOpened(ID, 'Ada');
const otherOpened = new AccountOpened(OTHER_ID, 'Bob');

const bus = () => app.get(CommandBus);
/** Every event in the store, as `<stream> <type>`, in the order stored. */
const storedEvents = () =>
  app
    .get(InMemoryEventStore)
    .allEvents()
    .map(({ streamId, type }) => `${streamId} ${type}`);

describe("the sample's commands, on the in-memory store", () => {
  it('opens an account under an id of its own choosing', async () => {
    const state = (await app.get(CommandBus).execute(new OpenAccount('Ada'))) as { id: string };

    expect(state).toEqual({
      id: expect.stringMatching(UUID),
      owner: 'Ada',
      balanceCents: 0,
      version: 1,
    });
    expect(storedEvents()).toEqual([`Account#${state.id} AccountOpened`]);
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

describe("the sample's transfers, on the in-memory store", () => {
  const given = (fromCents: number, toEvents: object[] = []) =>
    commandScenario(app)
      .given(Account, ID, opened, new MoneyDeposited(ID, fromCents))
      .given(Account, OTHER_ID, otherOpened, ...toEvents);

  it('stores both sides in one write, with one transfer id, and answers the receipt', async () => {
    await given(100)
      .when(new DepositMoney(ID, 1))
      .thenStored(Account, ID, new MoneyDeposited(ID, 1));
    const store = app.get(InMemoryEventStore);
    const before = store.allEvents().length;

    const receipt = await bus().execute(new TransferMoney(ID, OTHER_ID, 30));

    const stored = store.allEvents().slice(before);
    expect(stored.map(({ streamId, type, version }) => `${streamId} ${type} ${version}`)).toEqual([
      `Account#${ID} MoneyTransferredOut 4`,
      `Account#${OTHER_ID} MoneyTransferredIn 2`,
    ]);
    const { transferId } = receipt;
    expect(stored.map(({ payload }) => payload)).toEqual([
      { ...new MoneyTransferredOut(ID, transferId, OTHER_ID, 30) },
      { ...new MoneyTransferredIn(OTHER_ID, transferId, ID, 30) },
    ]);
    expect(receipt).toEqual({
      transferId: expect.stringMatching(UUID),
      amountCents: 30,
      from: { id: ID, owner: 'Ada', balanceCents: 71, version: 4 },
      to: { id: OTHER_ID, version: 2 },
    });
  });

  it.each([
    ['more than the balance', 100, new TransferMoney(ID, OTHER_ID, 101), InsufficientFundsError],
    [
      'what would take the receiver over the maximum balance',
      100,
      new TransferMoney(ID, OTHER_ID, 100),
      TransferBalanceLimitError,
    ],
    ['to the same account', 100, new TransferMoney(ID, ID, 10), SameAccountTransferError],
    [
      'to an account that does not exist',
      100,
      new TransferMoney(ID, randomUUID(), 10),
      AccountNotFoundError,
    ],
    [
      'from an account that does not exist',
      100,
      new TransferMoney(randomUUID(), ID, 10),
      AccountNotFoundError,
    ],
  ])(
    'refuses a transfer of %s, storing nothing on either side',
    async (_, fromCents, command, error) => {
      await given(fromCents, [new MoneyDeposited(OTHER_ID, MAX_BALANCE_CENTS - 99)])
        .when(command)
        .thenThrows(error);
    },
  );
});

describe("the sample's commands with an idempotency key, on the in-memory store", () => {
  it('answers a repeat with the first answer and stores the deposit once', async () => {
    const key = randomUUID();
    const first = await commandScenario(app)
      .given(Account, ID, opened)
      .when(new DepositMoney(ID, 100, undefined, key))
      .thenStored(Account, ID, new MoneyDeposited(ID, 100));

    const repeat = await commandScenario(app)
      .when(new DepositMoney(ID, 100, undefined, key))
      .thenStored(Account, ID);

    expect(repeat).toEqual(first);
    expect(first).toMatchObject({ balanceCents: 100, version: 2 });
  });

  it('opens one account for a repeat, and gives it the same id', async () => {
    const key = randomUUID();

    const [first, repeat] = [
      await bus().execute(new OpenAccount('Ada', key)),
      await bus().execute(new OpenAccount('Ada', key)),
    ];

    expect(repeat).toEqual(first);
    expect(storedEvents()).toEqual([`Account#${first.id} AccountOpened`]);
  });

  it('answers a repeat of a refused command with the same refusal, even once it would pass', async () => {
    const key = randomUUID();
    const refusal = (await commandScenario(app)
      .given(Account, ID, opened, new MoneyDeposited(ID, 10))
      .when(new WithdrawMoney(ID, 30, undefined, key))
      .thenThrows(InsufficientFundsError)) as Error;
    await commandScenario(app)
      .when(new DepositMoney(ID, 100))
      .thenStored(Account, ID, new MoneyDeposited(ID, 100));

    const repeated = (await commandScenario(app)
      .when(new WithdrawMoney(ID, 30, undefined, key))
      .thenThrows(RepeatedRefusal)) as Error;

    expect(repeated.message).toBe(refusal.message);
    await commandScenario(app)
      .when(new WithdrawMoney(ID, 30, undefined, randomUUID()))
      .thenStored(Account, ID, new MoneyWithdrawn(ID, 30));
  });

  it('refuses the key for another command, or the same command with other data', async () => {
    const key = randomUUID();
    await commandScenario(app)
      .given(Account, ID, opened)
      .when(new DepositMoney(ID, 100, undefined, key))
      .thenStored(Account, ID, new MoneyDeposited(ID, 100));

    await commandScenario(app)
      .when(new DepositMoney(ID, 101, undefined, key))
      .thenThrows(IdempotencyKeyMismatchError);
    await commandScenario(app)
      .when(new WithdrawMoney(ID, 100, undefined, key))
      .thenThrows(IdempotencyKeyMismatchError);
    await commandScenario(app)
      .when(new DepositMoney(ID, 100, 1, key))
      .thenThrows(IdempotencyKeyMismatchError);
  });

  it('answers a repeated transfer with the same receipt, storing it once', async () => {
    const key = randomUUID();
    await commandScenario(app)
      .given(Account, ID, opened, new MoneyDeposited(ID, 100))
      .given(Account, OTHER_ID, otherOpened)
      .when(new DepositMoney(ID, 1))
      .thenStored(Account, ID, new MoneyDeposited(ID, 1));

    const first = await bus().execute(new TransferMoney(ID, OTHER_ID, 30, key));
    const repeat = await bus().execute(new TransferMoney(ID, OTHER_ID, 30, key));

    expect(repeat).toEqual(first);
    expect(storedEvents().filter((event) => event.includes('Transferred'))).toEqual([
      `Account#${ID} MoneyTransferredOut`,
      `Account#${OTHER_ID} MoneyTransferredIn`,
    ]);
  });
});
