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

export class NonPositiveAmountError extends AccountRuleViolation {
  constructor(amount: number) {
    super(`The amount must be positive; got ${amount}.`);
  }
}

export class InsufficientFundsError extends AccountRuleViolation {
  constructor(balance: number, amount: number) {
    super(`Cannot withdraw ${amount}: the balance is ${balance}.`);
  }
}
