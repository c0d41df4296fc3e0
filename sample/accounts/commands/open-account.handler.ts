import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, InjectAggregateRepository } from 'nestjs-dynamo-es';
import { Account } from '../account.aggregate.js';
import { accountState, type AccountState } from '../account-state.js';
import { OpenAccount } from './open-account.command.js';

@CommandHandler(OpenAccount)
export class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  constructor(
    @InjectAggregateRepository(Account)
    private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId, owner }: OpenAccount): Promise<AccountState> {
    // load() of an id with no history gives a new account at version 0. If two requests open the same id at once,
    // the second save fails with ConcurrencyError: the store never lets both in.
    const account = await this.accounts.load(accountId);
    account.open(owner);
    await this.accounts.save(account);
    return accountState(account, this.accounts);
  }
}
