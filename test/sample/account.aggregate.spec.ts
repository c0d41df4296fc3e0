import { aggregateScenario } from 'nestjs-dynamo-es/testing';
import { Account } from '../../sample/accounts/account.aggregate.js';
import {
  AccountAlreadyOpenError,
  AccountNotFoundError,
  BalanceLimitError,
  InsufficientFundsError,
  InvalidAmountError,
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
import { MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS } from '../../sample/accounts/money.js';

const ID = 'a-1';
const account = () => aggregateScenario(Account, ID);
const opened = new AccountOpened(ID, 'Ada');

/** Amounts the account refuses whoever sends them: its rule, not only the HTTP API's. */
const INVALID_AMOUNTS: [string, number][] = [
  ['zero', 0],
  ['a negative amount', -5],
  ['a fraction of a cent', 0.1],
  ['a tiny fraction', 1e-7],
  ['more than the maximum amount', MAX_AMOUNT_CENTS + 1],
  ['a huge number', 1e308],
  ['an integer beyond 2^53', 2 ** 53 + 2],
  ['NaN', NaN],
  ['Infinity', Infinity],
];

describe('the sample Account, given its events', () => {
  it('opens once', async () => {
    await account()
      .when((it) => it.open('Ada'))
      .thenApplied(opened);
    await account()
      .given(opened)
      .when((it) => it.open('Bob'))
      .thenThrows(AccountAlreadyOpenError);
  });

  it('takes deposits of whole cents, up to the maximum amount', async () => {
    await account()
      .given(opened)
      .when((it) => it.deposit(25))
      .thenApplied(new MoneyDeposited(ID, 25));
    await account()
      .given(opened)
      .when((it) => it.deposit(MAX_AMOUNT_CENTS))
      .thenApplied(new MoneyDeposited(ID, MAX_AMOUNT_CENTS));
  });

  it.each(INVALID_AMOUNTS)('refuses a deposit of %s (%p)', async (_, amountCents) => {
    await account()
      .given(opened)
      .when((it) => it.deposit(amountCents))
      .thenThrows(InvalidAmountError);
  });

  it.each(INVALID_AMOUNTS)('refuses a withdrawal of %s (%p)', async (_, amountCents) => {
    await account()
      .given(opened, new MoneyDeposited(ID, MAX_AMOUNT_CENTS))
      .when((it) => it.withdraw(amountCents))
      .thenThrows(InvalidAmountError);
  });

  it('adds ten deposits of 10 cents up to exactly 100 cents', async () => {
    const tenCents = Array.from({ length: 10 }, () => new MoneyDeposited(ID, 10));

    const after = await account()
      .given(opened, ...tenCents.slice(1))
      .when((it) => it.deposit(10))
      .thenApplied(tenCents[0]!);

    expect(after.balanceCents).toBe(100);
  });

  it('takes a balance up to the maximum, and no further', async () => {
    const nearlyFull = new MoneyDeposited(ID, MAX_BALANCE_CENTS - 100);

    const full = await account()
      .given(opened, nearlyFull)
      .when((it) => it.deposit(100))
      .thenApplied(new MoneyDeposited(ID, 100));
    expect(full.balanceCents).toBe(MAX_BALANCE_CENTS);

    await account()
      .given(opened, nearlyFull)
      .when((it) => it.deposit(101))
      .thenThrows(BalanceLimitError);
  });

  it('pays out no more than the balance', async () => {
    const after = await account()
      .given(opened, new MoneyDeposited(ID, 100))
      .when((it) => it.withdraw(100))
      .thenApplied(new MoneyWithdrawn(ID, 100));
    expect(after.balanceCents).toBe(0);

    await account()
      .given(opened, new MoneyDeposited(ID, 100), new MoneyWithdrawn(ID, 60))
      .when((it) => it.withdraw(41))
      .thenThrows(InsufficientFundsError);
  });

  it('refuses any change to an account that was never opened', async () => {
    await account()
      .when((it) => it.deposit(5))
      .thenThrows(AccountNotFoundError);
    await account()
      .when((it) => it.transferIn('t-1', OTHER, 5))
      .thenThrows(AccountNotFoundError);
  });
});

const OTHER = 'a-2';

describe('the sample Account in a transfer', () => {
  it('sends no more than its balance, naming the receiver and the transfer', async () => {
    const after = await account()
      .given(opened, new MoneyDeposited(ID, 100))
      .when((it) => it.transferOut('t-1', OTHER, 100))
      .thenApplied(new MoneyTransferredOut(ID, 't-1', OTHER, 100));
    expect(after.balanceCents).toBe(0);

    const refused = await account()
      .given(opened, new MoneyDeposited(ID, 100), new MoneyTransferredOut(ID, 't-1', OTHER, 60))
      .when((it) => it.transferOut('t-2', OTHER, 41))
      .thenThrows(InsufficientFundsError);
    expect((refused as Error).message).toBe('Cannot transfer 41 cents: the balance is 40 cents.');
  });

  it('receives up to the maximum balance, and tells the sender nothing of its balance', async () => {
    const nearlyFull = new MoneyDeposited(ID, MAX_BALANCE_CENTS - 100);

    const full = await account()
      .given(opened, nearlyFull)
      .when((it) => it.transferIn('t-1', OTHER, 100))
      .thenApplied(new MoneyTransferredIn(ID, 't-1', OTHER, 100));
    expect(full.balanceCents).toBe(MAX_BALANCE_CENTS);

    const refused = await account()
      .given(opened, nearlyFull)
      .when((it) => it.transferIn('t-2', OTHER, 101))
      .thenThrows(TransferBalanceLimitError);
    expect((refused as Error).message).toBe(
      `Cannot transfer 101 cents to account ${ID}: its balance would exceed the maximum balance of ` +
        `${MAX_BALANCE_CENTS} cents.`,
    );
  });

  it.each(INVALID_AMOUNTS)(
    'refuses a transfer of %s (%p) on either side',
    async (_, amountCents) => {
      await account()
        .given(opened, new MoneyDeposited(ID, MAX_AMOUNT_CENTS))
        .when((it) => it.transferOut('t-1', OTHER, amountCents))
        .thenThrows(InvalidAmountError);
      await account()
        .given(opened)
        .when((it) => it.transferIn('t-1', OTHER, amountCents))
        .thenThrows(InvalidAmountError);
    },
  );

  it('refuses a transfer to itself', async () => {
    await account()
      .given(opened, new MoneyDeposited(ID, 100))
      .when((it) => it.transferOut('t-1', ID, 10))
      .thenThrows(SameAccountTransferError);
    await account()
      .given(opened)
      .when((it) => it.transferIn('t-1', ID, 10))
      .thenThrows(SameAccountTransferError);
  });

  it('rebuilds its balance from both sides of transfers', async () => {
    const after = await account()
      .given(
        opened,
        new MoneyDeposited(ID, 100),
        new MoneyTransferredOut(ID, 't-1', OTHER, 30),
        new MoneyTransferredIn(ID, 't-2', OTHER, 5),
      )
      .when((it) => it.withdraw(75))
      .thenApplied(new MoneyWithdrawn(ID, 75));
    expect(after.balanceCents).toBe(0);
  });
});
