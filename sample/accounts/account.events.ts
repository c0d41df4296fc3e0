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

/**
 * The sending side of a transfer, in the sender's stream. A transfer is two events of their own rather than a
 * withdrawal and a deposit with a transfer id: money that left for another account is not cash taken out, and each
 * account's history names the other account. Both events are stored in one atomic write, so a transfer id is in both
 * streams or in neither.
 */
export class MoneyTransferredOut {
  constructor(
    readonly accountId: string,
    readonly transferId: string,
    readonly toAccountId: string,
    readonly amountCents: number,
  ) {}
}

/** The receiving side of a transfer, in the receiver's stream; see MoneyTransferredOut. */
export class MoneyTransferredIn {
  constructor(
    readonly accountId: string,
    readonly transferId: string,
    readonly fromAccountId: string,
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
  MoneyTransferredOut,
  MoneyTransferredIn,
];

export type AccountEvent =
  AccountOpened | MoneyDeposited | MoneyWithdrawn | MoneyTransferredOut | MoneyTransferredIn;
