import { AggregateRoot } from '@nestjs/cqrs';
import type { SnapshotCapable } from 'nestjs-dynamo-es';
import {
  AccountAlreadyOpenError,
  AccountNotFoundError,
  InsufficientFundsError,
  NonPositiveAmountError,
} from './account.errors.js';
import { AccountOpened, MoneyDeposited, MoneyWithdrawn } from './account.events.js';

export interface AccountSnapshot {
  readonly owner: string | undefined;
  readonly balance: number;
}

/** A bank account: decides on commands, and changes state only by applying events. */
export class Account extends AggregateRoot implements SnapshotCapable<AccountSnapshot> {
  owner: string | undefined;
  balance = 0;

  constructor(readonly id: string) {
    super();
  }

  get isOpen(): boolean {
    return this.owner !== undefined;
  }

  open(owner: string): void {
    if (this.isOpen) throw new AccountAlreadyOpenError(this.id);
    this.apply(new AccountOpened(this.id, owner));
  }

  deposit(amount: number): void {
    this.assertOpen();
    if (amount <= 0) throw new NonPositiveAmountError(amount);
    this.apply(new MoneyDeposited(this.id, amount));
  }

  withdraw(amount: number): void {
    this.assertOpen();
    if (amount <= 0) throw new NonPositiveAmountError(amount);
    if (amount > this.balance) throw new InsufficientFundsError(this.balance, amount);
    this.apply(new MoneyWithdrawn(this.id, amount));
  }

  toSnapshot(): AccountSnapshot {
    return { owner: this.owner, balance: this.balance };
  }

  restoreSnapshot(snapshot: AccountSnapshot): void {
    this.owner = snapshot.owner;
    this.balance = snapshot.balance;
  }

  onAccountOpened(event: AccountOpened): void {
    this.owner = event.owner;
  }

  onMoneyDeposited(event: MoneyDeposited): void {
    this.balance += event.amount;
  }

  onMoneyWithdrawn(event: MoneyWithdrawn): void {
    this.balance -= event.amount;
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new AccountNotFoundError(this.id);
  }
}
