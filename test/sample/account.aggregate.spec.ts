import { aggregateScenario } from 'nestjs-dynamo-es/testing';
import { Account } from '../../sample/accounts/account.aggregate.js';
import {
  AccountAlreadyOpenError,
  AccountNotFoundError,
  InsufficientFundsError,
  NonPositiveAmountError,
} from '../../sample/accounts/account.errors.js';
import {
  AccountOpened,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../../sample/accounts/account.events.js';

const ID = 'a-1';
const account = () => aggregateScenario(Account, ID);
const opened = new AccountOpened(ID, 'Ada');

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

  it('takes deposits of positive amounts only', async () => {
    await account()
      .given(opened)
      .when((it) => it.deposit(25))
      .thenApplied(new MoneyDeposited(ID, 25));
    await account()
      .given(opened)
      .when((it) => it.deposit(0))
      .thenThrows(NonPositiveAmountError);
  });

  it('pays out no more than the balance', async () => {
    const after = await account()
      .given(opened, new MoneyDeposited(ID, 100))
      .when((it) => it.withdraw(100))
      .thenApplied(new MoneyWithdrawn(ID, 100));
    expect(after.balance).toBe(0);

    await account()
      .given(opened, new MoneyDeposited(ID, 100), new MoneyWithdrawn(ID, 60))
      .when((it) => it.withdraw(41))
      .thenThrows(InsufficientFundsError);
  });

  it('refuses any change to an account that was never opened', async () => {
    await account()
      .when((it) => it.deposit(5))
      .thenThrows(AccountNotFoundError);
  });
});
