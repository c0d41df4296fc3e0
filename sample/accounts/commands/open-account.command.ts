import { Command } from '@nestjs/cqrs';
import type { AccountState } from '../account-state.js';

export class OpenAccount extends Command<AccountState> {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {
    super();
  }
}
