import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, InjectAggregateRepository } from 'nestjs-dynamo-es';
import { Account } from '../account.aggregate.js';
import type { AccountState } from '../account-state.js';
import { changeAccount } from './change-account.js';
import { DepositMoney } from './deposit-money.command.js';

@CommandHandler(DepositMoney)
export class DepositMoneyHandler implements ICommandHandler<DepositMoney> {
  constructor(
    @InjectAggregateRepository(Account)
    private readonly accounts: AggregateRepository<Account>,
  ) {}

  execute({ accountId, amountCents, expectedVersion }: DepositMoney): Promise<AccountState> {
    return changeAccount(
      this.accounts,
      accountId,
      (account) => account.deposit(amountCents),
      expectedVersion,
    );
  }
}
