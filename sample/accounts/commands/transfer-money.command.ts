import { Command } from '@nestjs/cqrs';
import type { AccountState } from '../account-state.js';
import type { IdempotentCommand } from './decide-once.js';

/** The answer to a transfer. */
export interface TransferReceipt {
  /** Made up by the transfer's decision; both accounts' events carry it. */
  readonly transferId: string;
  readonly amountCents: number;
  /** The sending account after the transfer. */
  readonly from: AccountState;
  /** The receiving account's version after the transfer; its balance is its owner's business, not the sender's. */
  readonly to: { readonly id: string; readonly version: number };
}

/** Moves money between two accounts in one atomic write. The command holds only what the client sent. */
export class TransferMoney extends Command<TransferReceipt> implements IdempotentCommand {
  constructor(
    readonly fromId: string,
    readonly toId: string,
    /** Integer cents. */
    readonly amountCents: number,
    /** The request's Idempotency-Key, when it sent one. */
    readonly idempotencyKey?: string,
  ) {
    super();
  }
}
