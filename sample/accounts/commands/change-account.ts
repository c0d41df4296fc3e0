import { ConcurrencyError, EventStoreWriteError, type AggregateRepository } from 'nestjs-dynamo-es';
import type { Account } from '../account.aggregate.js';
import { AccountNotFoundError } from '../account.errors.js';
import { accountState, type AccountState } from '../account-state.js';
import { StaleAccountVersionError } from './stale-account-version.error.js';

const ATTEMPTS = 3;

/**
 * Loads an existing account, lets `change` decide and apply events, and saves. When another command saved the same
 * account in between (ConcurrencyError), the whole decision is taken again on a fresh load — unless the client pinned
 * the version it expects, in which case the conflict is the client's to resolve.
 */
export async function changeAccount(
  accounts: AggregateRepository<Account>,
  accountId: string,
  change: (account: Account) => void,
  expectedVersion?: number,
): Promise<AccountState> {
  for (let attempt = 1; ; attempt++) {
    const account = await accounts.load(accountId);
    if (!account.isOpen) throw new AccountNotFoundError(accountId);
    const version = accounts.versionOf(account);
    if (expectedVersion !== undefined && version !== expectedVersion) {
      throw new StaleAccountVersionError(accountId, expectedVersion, version);
    }
    change(account);
    try {
      await saveExactlyOnce(accounts, account);
      return accountState(account, accounts);
    } catch (error) {
      const retry =
        error instanceof ConcurrencyError && expectedVersion === undefined && attempt < ATTEMPTS;
      if (!retry) throw error;
    }
  }
}

/**
 * Saves, and saves the same events again while DynamoDB's answer is lost: they keep their ids, so they are stored
 * once whether or not an earlier attempt landed. Gives up with the last EventStoreWriteError after a few tries.
 */
async function saveExactlyOnce(
  accounts: AggregateRepository<Account>,
  account: Account,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await accounts.save(account);
      return;
    } catch (error) {
      const unknown = error instanceof EventStoreWriteError && error.outcome === 'unknown';
      if (!unknown || attempt === ATTEMPTS) throw error;
    }
  }
}
