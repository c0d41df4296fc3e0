import { Command } from '@nestjs/cqrs';
import type { AccountState } from '../account-state.js';

export class DepositMoney extends Command<AccountState> {
  constructor(
    readonly accountId: string,
    /** Integer cents. */
    readonly amountCents: number,
    /** The version the client last saw, when it sent one (If-Match). */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
