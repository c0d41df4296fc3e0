import type { AggregateRepository } from 'nestjs-dynamo-es';
import type { Account } from './account.aggregate.js';

/** What the API returns for an account: its state and the version it is at (sent as the ETag). */
export interface AccountState {
  readonly id: string;
  readonly owner: string;
  /** Integer cents. */
  readonly balanceCents: number;
  readonly version: number;
}

export function accountState(
  account: Account,
  accounts: AggregateRepository<Account>,
): AccountState {
  return {
    id: account.id,
    owner: account.owner ?? '',
    balanceCents: account.balanceCents,
    version: accounts.versionOf(account),
  };
}
