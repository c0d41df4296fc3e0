import { Command } from '@nestjs/cqrs';
import type { AccountState } from '../account-state.js';
import type { IdempotentCommand } from './decide-once.js';

/**
 * Opens an account under a new id, which the handler chooses: the command holds only what the client sent, so that
 * a repeat with the same Idempotency-Key is the same request, and gets the same account.
 */
export class OpenAccount extends Command<AccountState> implements IdempotentCommand {
  constructor(
    readonly owner: string,
    /** The request's Idempotency-Key, when it sent one. */
    readonly idempotencyKey?: string,
  ) {
    super();
  }
}
