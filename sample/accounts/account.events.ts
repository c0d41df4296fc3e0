export class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {}
}

export class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

export class MoneyWithdrawn {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

export const ACCOUNT_EVENTS = [AccountOpened, MoneyDeposited, MoneyWithdrawn];

export type AccountEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn;
