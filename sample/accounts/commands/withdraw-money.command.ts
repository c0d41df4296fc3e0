import { Command } from '@nestjs/cqrs';
import type { AccountState } from '../account-state.js';
import type { AccountChange } from './change-account.js';

/** What the client sent, and nothing else: with an idempotency key, the command is the request's fingerprint. */
export class WithdrawMoney extends Command<AccountState> implements AccountChange {
  constructor(
    readonly accountId: string,
    /** Integer cents. */
    readonly amountCents: number,
    /** The version the client last saw, when it sent one (If-Match). */
    readonly expectedVersion?: number,
    /** The request's Idempotency-Key, when it sent one. */
    readonly idempotencyKey?: string,
  ) {
    super();
  }
}
