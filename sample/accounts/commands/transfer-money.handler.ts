import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type AggregateRepository,
  InjectAggregateRepository,
  RetryOnConflict,
  UnitOfWork,
} from 'nestjs-dynamo-es';
import { Account } from '../account.aggregate.js';
import { accountState } from '../account-state.js';
import { ACCOUNT_COMMAND_RETRY } from './account-command-retry.js';
import { assertAccountExists } from './change-account.js';
import { decideOnce } from './decide-once.js';
import { TransferMoney, type TransferReceipt } from './transfer-money.command.js';

@CommandHandler(TransferMoney)
export class TransferMoneyHandler implements ICommandHandler<TransferMoney> {
  constructor(
    @InjectAggregateRepository(Account)
    private readonly accounts: AggregateRepository<Account>,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /**
   * Both accounts' events are written in one TransactWriteItems, each conditioned on its account's version: the
   * transfer is stored whole or not at all, and a command that changed either account in between makes it decide
   * again on fresh loads.
   */
  @RetryOnConflict(ACCOUNT_COMMAND_RETRY)
  execute(command: TransferMoney): Promise<TransferReceipt> {
    const { fromId, toId, amountCents } = command;
    return decideOnce(this.unitOfWork, command, async (saves) => {
      const [from, to] = await Promise.all([this.accounts.load(fromId), this.accounts.load(toId)]);
      // In this order, so that the sender is the one named when neither account exists.
      assertAccountExists(from);
      assertAccountExists(to);
      // Made up in the decision, so that a repeat with the same Idempotency-Key gets the same id (see decideOnce).
      const transferId = randomUUID();
      from.transferOut(transferId, toId, amountCents);
      to.transferIn(transferId, fromId, amountCents);
      // Saved once both sides passed the rules: a refusal stages nothing, and is stored with its key alone.
      const fromVersion = saves.save(from);
      const toVersion = saves.save(to);
      return {
        transferId,
        amountCents,
        from: accountState(from, fromVersion),
        to: { id: to.id, version: toVersion },
      };
    });
  }
}
