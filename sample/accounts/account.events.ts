import type { EventRegistration } from 'nestjs-dynamo-es';

export class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {}
}

export class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amountCents: number,
  ) {}
}

export class MoneyWithdrawn {
  constructor(
    readonly accountId: string,
    readonly amountCents: number,
  ) {}
}

/** Schema version 1 of MoneyDeposited and MoneyWithdrawn: `amount` in currency units, at most 2 decimals. */
interface AmountInUnits {
  readonly accountId: string;
  readonly amount: number;
}

/** Version 2 counts integer cents. Math.round absorbs the binary error of a 2-decimal amount times 100. */
const inCents = ({ accountId, amount }: AmountInUnits) => ({
  accountId,
  amountCents: Math.round(amount * 100),
});

export const ACCOUNT_EVENTS: EventRegistration[] = [
  AccountOpened,
  { event: MoneyDeposited, version: 2, upcasters: { 1: inCents } },
  { event: MoneyWithdrawn, version: 2, upcasters: { 1: inCents } },
];

export type AccountEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn;
