import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type AggregateRepository, InjectAggregateRepository } from 'nestjs-dynamo-es';
import { Account } from '../account.aggregate.js';
import { AccountNotFoundError } from '../account.errors.js';
import { accountState, type AccountState } from '../account-state.js';
import { GetAccount } from './get-account.query.js';

/** The authoritative state, rebuilt from the account's events with a strongly consistent read. */
@QueryHandler(GetAccount)
export class GetAccountHandler implements IQueryHandler<GetAccount> {
  constructor(
    @InjectAggregateRepository(Account)
    private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId }: GetAccount): Promise<AccountState> {
    const account = await this.accounts.load(accountId);
    if (!account.isOpen) throw new AccountNotFoundError(accountId);
    return accountState(account, this.accounts.versionOf(account));
  }
}
