import { AssertionError } from 'node:assert';
import { AggregateRoot } from '@nestjs/cqrs';
import { EventSerializationError } from '../../lib/index.js';
import { aggregateScenario } from '../../lib/testing/index.js';
import {
  AccountOpened,
  BankAccount,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../fixtures/bank-account.js';

class Stamped {
  constructor(readonly at: Date) {}
}

class Clock extends AggregateRoot {
  lastSeen: unknown;
  constructor(readonly id: string) {
    super();
  }
  tick(at: unknown): void {
    this.apply(new Stamped(at as Date));
  }
  onStamped(event: Stamped): void {
    this.lastSeen = event.at;
  }
}

describe('aggregateScenario: given past events, when a method is called', () => {
  it('passes when exactly the expected events are applied, and gives the aggregate', async () => {
    const account = await aggregateScenario(BankAccount, 'a-1')
      .given(new AccountOpened('a-1', 'Ada'), new MoneyDeposited('a-1', 100))
      .when((account) => account.withdraw(30))
      .thenApplied(new MoneyWithdrawn('a-1', 30));

    expect(account.balance).toBe(70);
  });

  it('passes when nothing is applied and nothing was expected', async () => {
    await aggregateScenario(BankAccount, 'a-1')
      .given(new AccountOpened('a-1', 'Ada'))
      .when(() => undefined)
      .thenApplied();
  });

  it('fails, showing both, when other events are applied', async () => {
    const scenario = aggregateScenario(BankAccount, 'a-1')
      .given(new AccountOpened('a-1', 'Ada'), new MoneyDeposited('a-1', 100))
      .when((account) => account.withdraw(30));

    await expect(scenario.thenApplied(new MoneyWithdrawn('a-1', 31))).rejects.toThrow(
      AssertionError,
    );
    await expect(scenario.thenApplied(new MoneyWithdrawn('a-1', 31))).rejects.toThrow(/amount/);
  });

  it('fails when the method throws instead', async () => {
    await expect(
      aggregateScenario(BankAccount, 'a-1')
        .given(new AccountOpened('a-1', 'Ada'))
        .when((account) => account.withdraw(30))
        .thenApplied(new MoneyWithdrawn('a-1', 30)),
    ).rejects.toThrow(/the action threw: Error: insufficient funds/);
  });

  it('passes when the method throws the expected error, and gives it', async () => {
    const error = await aggregateScenario(BankAccount, 'a-1')
      .given(new AccountOpened('a-1', 'Ada'))
      .when((account) => account.withdraw(30))
      .thenThrows(/insufficient funds/);

    expect(error).toBeInstanceOf(Error);
    await aggregateScenario(BankAccount, 'a-1')
      .when((account) => account.withdraw(1))
      .thenThrows(Error);
  });

  it('fails when the method throws another error, or none', async () => {
    const when = aggregateScenario(BankAccount, 'a-1').given(new AccountOpened('a-1', 'Ada'));

    await expect(
      when.when((account) => account.withdraw(30)).thenThrows(TypeError),
    ).rejects.toThrow(/Expected an error of class TypeError, but got Error: insufficient funds/);
    await expect(when.when((account) => account.deposit(1)).thenThrows()).rejects.toThrow(
      'Expected the action to throw, but it did not',
    );
  });

  it('gives the aggregate its past events as a load would: through JSON, a Date as a string', async () => {
    const clock = await aggregateScenario(Clock, 'c-1')
      .given(new Stamped(new Date('2026-12-01T00:00:00.000Z')))
      .when(() => undefined)
      .thenApplied();

    expect(clock.lastSeen).toBe('2026-12-01T00:00:00.000Z');
  });

  it('fails where a save would, when an applied event cannot be stored', async () => {
    await expect(
      aggregateScenario(Clock, 'c-1')
        .when((clock) => clock.tick(new Map()))
        .thenApplied(new Stamped(new Map() as never)),
    ).rejects.toBeInstanceOf(EventSerializationError);
  });

  it('builds the aggregate with a factory when it has no (id) constructor', async () => {
    await aggregateScenario(() => new BankAccount('a-2'))
      .when((account) => account.open('Grace'))
      .thenApplied(new AccountOpened('a-2', 'Grace'));
  });
});
