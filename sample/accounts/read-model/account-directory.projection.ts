import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import {
  AccountOpened,
  type AccountEvent,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../account.events.js';
import { AccountDirectory } from './account-directory.js';

/** Receives each event once it is stored: the repository publishes only after a successful save. */
@EventsHandler(AccountOpened, MoneyDeposited, MoneyWithdrawn)
export class AccountDirectoryProjection implements IEventHandler<AccountEvent> {
  constructor(private readonly directory: AccountDirectory) {}

  handle(event: AccountEvent): void {
    if (event instanceof AccountOpened) this.directory.opened(event.accountId, event.owner);
    else if (event instanceof MoneyDeposited)
      this.directory.balanceChanged(event.accountId, event.amount);
    else this.directory.balanceChanged(event.accountId, -event.amount);
  }
}
