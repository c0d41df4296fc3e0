import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, InjectAggregateRepository, UnitOfWork } from 'nestjs-dynamo-es';
import { Account } from '../account.aggregate.js';
import type { AccountState } from '../account-state.js';
import { changeAccount } from './change-account.js';
import { WithdrawMoney } from './withdraw-money.command.js';

@CommandHandler(WithdrawMoney)
export class WithdrawMoneyHandler implements ICommandHandler<WithdrawMoney> {
  constructor(
    @InjectAggregateRepository(Account)
    private readonly accounts: AggregateRepository<Account>,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  execute(command: WithdrawMoney): Promise<AccountState> {
    return changeAccount(this.accounts, this.unitOfWork, command, (account) =>
      account.withdraw(command.amountCents),
    );
  }
}
