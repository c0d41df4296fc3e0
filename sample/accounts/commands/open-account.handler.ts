import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type AggregateRepository,
  InjectAggregateRepository,
  RetryOnConflict,
  UnitOfWork,
} from 'nestjs-dynamo-es';
import { Account } from '../account.aggregate.js';
import { accountState, type AccountState } from '../account-state.js';
import { ACCOUNT_COMMAND_RETRY } from './account-command-retry.js';
import { decideOnce } from './decide-once.js';
import { OpenAccount } from './open-account.command.js';

@CommandHandler(OpenAccount)
export class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  constructor(
    @InjectAggregateRepository(Account)
    private readonly accounts: AggregateRepository<Account>,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  // A new random id conflicts with no one; inside the retry, a save whose answer was lost is sent again, the same
  // events, rather than failed.
  @RetryOnConflict(ACCOUNT_COMMAND_RETRY)
  execute(command: OpenAccount): Promise<AccountState> {
    return decideOnce(this.unitOfWork, command, (saves) => {
      // The id is made up here, in the decision: with an Idempotency-Key it is stored in the answer, so that a
      // repeat gets this account rather than a second one. create() reads nothing; its save is conditioned on the
      // stream being new.
      const account = this.accounts.create(randomUUID());
      account.open(command.owner);
      return accountState(account, saves.save(account));
    });
  }
}
