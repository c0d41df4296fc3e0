import { Query } from '@nestjs/cqrs';
import type { AccountState } from '../account-state.js';

export class GetAccount extends Query<AccountState> {
  constructor(readonly accountId: string) {
    super();
  }
}
