import { cents, MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS } from './money.js';

/** A command the account's rules refuse. Nothing is written. */
export class AccountRuleViolation extends Error {}

export class AccountNotFoundError extends Error {
  constructor(readonly accountId: string) {
    super(`Account ${accountId} does not exist.`);
  }
}

export class AccountAlreadyOpenError extends AccountRuleViolation {
  constructor(accountId: string) {
    super(`Account ${accountId} is already open.`);
  }
}

/** Not a whole number of cents from 1 to MAX_AMOUNT_CENTS. */
export class InvalidAmountError extends AccountRuleViolation {
  constructor(readonly amountCents: number) {
    super(
      `The amount must be a whole number of cents from 1 to ${MAX_AMOUNT_CENTS}; got ${amountCents}.`,
    );
  }
}

export class InsufficientFundsError extends AccountRuleViolation {
  constructor(
    readonly balanceCents: number,
    readonly amountCents: number,
    readonly operation: 'withdraw' | 'transfer' = 'withdraw',
  ) {
    super(`Cannot ${operation} ${cents(amountCents)}: the balance is ${cents(balanceCents)}.`);
  }
}

export class BalanceLimitError extends AccountRuleViolation {
  constructor(
    readonly balanceCents: number,
    readonly amountCents: number,
  ) {
    super(
      `Cannot deposit ${cents(amountCents)}: the balance of ${cents(balanceCents)} would exceed the ` +
        `maximum balance of ${cents(MAX_BALANCE_CENTS)}.`,
    );
  }
}

/**
 * A transfer would take the receiving account over MAX_BALANCE_CENTS. The message, which the sender reads, does not
 * tell the receiver's balance.
 */
export class TransferBalanceLimitError extends AccountRuleViolation {
  constructor(
    readonly accountId: string,
    readonly amountCents: number,
  ) {
    super(
      `Cannot transfer ${cents(amountCents)} to account ${accountId}: its balance would exceed the maximum ` +
        `balance of ${cents(MAX_BALANCE_CENTS)}.`,
    );
  }
}

export class SameAccountTransferError extends AccountRuleViolation {
  constructor(readonly accountId: string) {
    super(`Cannot transfer from account ${accountId} to itself.`);
  }
}
