import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, InjectAggregateRepository, UnitOfWork } from 'nestjs-dynamo-es';
import { Account } from '../account.aggregate.js';
import type { AccountState } from '../account-state.js';
import { changeAccount } from './change-account.js';
import { DepositMoney } from './deposit-money.command.js';

@CommandHandler(DepositMoney)
export class DepositMoneyHandler implements ICommandHandler<DepositMoney> {
  constructor(
    @InjectAggregateRepository(Account)
    private readonly accounts: AggregateRepository<Account>,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute(command: DepositMoney): Promise<AccountState> {
    return changeAccount(this.accounts, this.unitOfWork, command, (account) =>
      account.deposit(command.amountCents),
    );
  }
}
