// The projection the Lambda handler's tests apply, the events they write, and a logger that keeps its messages.
import type { EventRegistration, NewEvent } from '../../../lib/index.js';
import type { ProjectionsHandlerLogger } from '../../../lib/lambda/index.js';
import { Projection, ProjectionHandler, type ViewUpdate } from '../../../lib/projections/index.js';
import {
  AccountOpened,
  BankAccount,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../../fixtures/bank-account.js';

export interface Balance extends Record<string, unknown> {
  owner: string;
  balance: number;
  deposits: number;
}

export interface Bank extends Record<string, unknown> {
  accounts: number;
  balance: number;
}

/** Deposits of this amount make the handler throw, until it is set back. */
export const poison: { amount?: number } = {};

/** Each account's balance, and the bank's totals through increments (exactly once, or wrong). */
@Projection('lambda-balances')
export class Balances {
  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<Balance>): void {
    view.set({ owner: event.owner, balance: 0, deposits: 0 });
    view.increment('bank', { accounts: 1 });
  }

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, view: ViewUpdate<Balance>): void {
    // Upcast events too must arrive as instances of the current class, with its fields.
    if (!(event instanceof MoneyDeposited) || typeof event.amount !== 'number')
      throw new Error(`not a current MoneyDeposited: ${JSON.stringify(event)}`);
    if (event.amount === poison.amount) throw new Error(`cannot take a deposit of ${event.amount}`);
    const { balance, deposits } = view.document!;
    view.set({ ...view.document!, balance: balance + event.amount, deposits: deposits + 1 });
    view.increment('bank', { balance: event.amount });
  }

  @ProjectionHandler(MoneyWithdrawn)
  withdrawn(event: MoneyWithdrawn, view: ViewUpdate<Balance>): void {
    view.set({ ...view.document!, balance: view.document!.balance - event.amount });
    view.increment('bank', { balance: -event.amount });
  }
}

/** MoneyDeposited was once stored as FundsAdded { accountId, sum }, schema version 1. */
export const MONEY_DEPOSITED: EventRegistration = {
  event: MoneyDeposited,
  version: 2,
  aliases: ['FundsAdded'],
  upcasters: {
    1: ({ accountId, sum }: { accountId: string; sum: number }) => ({ accountId, amount: sum }),
  },
};
export const FEATURES = [
  { aggregate: BankAccount, events: [AccountOpened, MONEY_DEPOSITED, MoneyWithdrawn] },
];

export const opened = (id: string, owner: string): NewEvent => ({
  type: 'AccountOpened',
  payload: { accountId: id, owner },
});
export const deposited = (id: string, amount: number): NewEvent => ({
  type: 'MoneyDeposited',
  schemaVersion: 2,
  payload: { accountId: id, amount },
});

export interface RecordingLogger extends ProjectionsHandlerLogger {
  readonly warnings: string[];
  readonly errors: string[];
}

export function recordingLogger(): RecordingLogger {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    warn: (message) => warnings.push(message),
    error: (message) => errors.push(message),
  };
}
