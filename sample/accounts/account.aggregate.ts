import { AggregateRoot } from '@nestjs/cqrs';
import type { SnapshotCapable } from 'nestjs-dynamo-es';
import {
  AccountAlreadyOpenError,
  AccountNotFoundError,
  BalanceLimitError,
  InsufficientFundsError,
  InvalidAmountError,
  SameAccountTransferError,
  TransferBalanceLimitError,
} from './account.errors.js';
import {
  AccountOpened,
  MoneyDeposited,
  MoneyTransferredIn,
  MoneyTransferredOut,
  MoneyWithdrawn,
} from './account.events.js';
import { isValidAmountCents, MAX_BALANCE_CENTS } from './money.js';

/** The snapshot's shape; its version is ACCOUNT_SNAPSHOT_VERSION. */
export interface AccountSnapshot {
  readonly owner: string | undefined;
  readonly balanceCents: number;
}

/** Version 1 held `balance` in currency units; such snapshots are ignored and the account rebuilt from its events. */
export const ACCOUNT_SNAPSHOT_VERSION = 2;

/**
 * A bank account: decides on commands, and changes state only by applying events. Amounts are integer cents; the
 * rules are checked here whatever the caller validated, so that no entry point can store an amount or reach a
 * balance the account does not allow.
 */
export class Account extends AggregateRoot implements SnapshotCapable<AccountSnapshot> {
  owner: string | undefined;
  balanceCents = 0;

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

  deposit(amountCents: number): void {
    this.assertOpen();
    assertValidAmount(amountCents);
    if (this.balanceCents + amountCents > MAX_BALANCE_CENTS)
      throw new BalanceLimitError(this.balanceCents, amountCents);
    this.apply(new MoneyDeposited(this.id, amountCents));
  }

  withdraw(amountCents: number): void {
    this.assertOpen();
    assertValidAmount(amountCents);
    if (amountCents > this.balanceCents)
      throw new InsufficientFundsError(this.balanceCents, amountCents);
    this.apply(new MoneyWithdrawn(this.id, amountCents));
  }

  /** The sending side of a transfer; the receiver's `transferIn` must be saved in the same write. */
  transferOut(transferId: string, toAccountId: string, amountCents: number): void {
    this.assertOpen();
    if (toAccountId === this.id) throw new SameAccountTransferError(this.id);
    assertValidAmount(amountCents);
    if (amountCents > this.balanceCents)
      throw new InsufficientFundsError(this.balanceCents, amountCents, 'transfer');
    this.apply(new MoneyTransferredOut(this.id, transferId, toAccountId, amountCents));
  }

  /** The receiving side of a transfer; see transferOut. */
  transferIn(transferId: string, fromAccountId: string, amountCents: number): void {
    this.assertOpen();
    if (fromAccountId === this.id) throw new SameAccountTransferError(this.id);
    assertValidAmount(amountCents);
    if (this.balanceCents + amountCents > MAX_BALANCE_CENTS)
      throw new TransferBalanceLimitError(this.id, amountCents);
    this.apply(new MoneyTransferredIn(this.id, transferId, fromAccountId, amountCents));
  }

  toSnapshot(): AccountSnapshot {
    return { owner: this.owner, balanceCents: this.balanceCents };
  }

  restoreSnapshot(snapshot: AccountSnapshot): void {
    this.owner = snapshot.owner;
    this.balanceCents = snapshot.balanceCents;
  }

  onAccountOpened(event: AccountOpened): void {
    this.owner = event.owner;
  }

  onMoneyDeposited(event: MoneyDeposited): void {
    this.balanceCents += event.amountCents;
  }

  onMoneyWithdrawn(event: MoneyWithdrawn): void {
    this.balanceCents -= event.amountCents;
  }

  onMoneyTransferredOut(event: MoneyTransferredOut): void {
    this.balanceCents -= event.amountCents;
  }

  onMoneyTransferredIn(event: MoneyTransferredIn): void {
    this.balanceCents += event.amountCents;
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new AccountNotFoundError(this.id);
  }
}

function assertValidAmount(amountCents: number): void {
  if (!isValidAmountCents(amountCents)) throw new InvalidAmountError(amountCents);
}
