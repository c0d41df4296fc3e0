import {
  InjectViewRepository,
  Projection,
  ProjectionHandler,
  type ViewRepository,
  type ViewUpdate,
} from 'nestjs-dynamo-es/projections';
import {
  AccountOpened,
  MoneyDeposited,
  MoneyTransferredIn,
  MoneyTransferredOut,
  MoneyWithdrawn,
} from '../account.events.js';

/** One document per account in the `account-directory` view; read with `@InjectAccountDirectory()`. */
export interface AccountSummary extends Record<string, unknown> {
  readonly id: string;
  readonly owner: string;
  /** Integer cents. */
  readonly balanceCents: number;
}

/**
 * The directory of all accounts: a durable read model in the views table, fed from the events table's stream by
 * the projections runner, so that it holds the events of every instance and survives restarts and crashes. It
 * trails the commands by the time the runner takes to read the stream.
 */
@Projection('account-directory')
export class AccountDirectoryProjection {
  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<AccountSummary>): void {
    view.set({ id: event.accountId, owner: event.owner, balanceCents: 0 });
  }

  @ProjectionHandler(MoneyDeposited, MoneyWithdrawn, MoneyTransferredIn, MoneyTransferredOut)
  balanceChanged(
    event: MoneyDeposited | MoneyWithdrawn | MoneyTransferredIn | MoneyTransferredOut,
    view: ViewUpdate<AccountSummary>,
  ): void {
    const summary = view.document!;
    const credit = event instanceof MoneyDeposited || event instanceof MoneyTransferredIn;
    const delta = credit ? event.amountCents : -event.amountCents;
    view.set({ ...summary, balanceCents: summary.balanceCents + delta });
  }
}

/** Injects the directory's documents. */
export const InjectAccountDirectory = (): PropertyDecorator & ParameterDecorator =>
  InjectViewRepository(AccountDirectoryProjection);

export type AccountDirectory = ViewRepository<AccountSummary>;
