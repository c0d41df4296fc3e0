import { type AggregateRepository, retryOnConflict, type UnitOfWork } from 'nestjs-dynamo-es';
import type { Account } from '../account.aggregate.js';
import { AccountNotFoundError } from '../account.errors.js';
import { accountState, type AccountState } from '../account-state.js';
import { ACCOUNT_COMMAND_RETRY, PINNED_VERSION_RETRY } from './account-command-retry.js';
import { decideOnce, type IdempotentCommand } from './decide-once.js';
import { StaleAccountVersionError } from './stale-account-version.error.js';

/** A command that changes one existing account. */
export interface AccountChange extends IdempotentCommand {
  readonly accountId: string;
  /** The version the client last saw, when it sent one (If-Match). */
  readonly expectedVersion?: number;
}

/**
 * Loads the account, lets `change` decide and apply events, and saves, once per idempotency key (decideOnce). When
 * another command saved the account in between (ConcurrencyError), the whole decision is taken again on a fresh
 * load (ACCOUNT_COMMAND_RETRY), unless the client pinned the version it expects: the conflict is then the client's
 * to resolve.
 */
export function changeAccount(
  accounts: AggregateRepository<Account>,
  unitOfWork: UnitOfWork,
  command: AccountChange,
  change: (account: Account) => void,
): Promise<AccountState> {
  const { accountId, expectedVersion } = command;
  return retryOnConflict(
    () =>
      decideOnce(unitOfWork, command, async (saves) => {
        const account = await loadAccount(accounts, accountId);
        const version = accounts.versionOf(account);
        if (expectedVersion !== undefined && version !== expectedVersion) {
          throw new StaleAccountVersionError(accountId, expectedVersion, version);
        }
        change(account);
        return accountState(account, saves.save(account));
      }),
    expectedVersion === undefined ? ACCOUNT_COMMAND_RETRY : PINNED_VERSION_RETRY,
  );
}

/** The account, loaded; AccountNotFoundError unless it is open. */
async function loadAccount(
  accounts: AggregateRepository<Account>,
  accountId: string,
): Promise<Account> {
  const account = await accounts.load(accountId);
  assertAccountExists(account);
  return account;
}

/** A loaded account with no history is at version 0 and not open: to the client, it does not exist (404). */
export function assertAccountExists(account: Account): void {
  if (!account.isOpen) throw new AccountNotFoundError(account.id);
}
