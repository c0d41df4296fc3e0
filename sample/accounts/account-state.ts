import type { Account } from './account.aggregate.js';

/** What the API returns for an account: its state and the version it is at (sent as the ETag). */
export interface AccountState {
  readonly id: string;
  readonly owner: string;
  /** Integer cents. */
  readonly balanceCents: number;
  readonly version: number;
}

/**
 * The account's state at `version`: the repository's versionOf() once loaded, or what a UnitOfWork's `saves.save()`
 * returns, the version the account is at once the decision's write is stored.
 */
export function accountState(account: Account, version: number): AccountState {
  return {
    id: account.id,
    owner: account.owner ?? '',
    balanceCents: account.balanceCents,
    version,
  };
}
