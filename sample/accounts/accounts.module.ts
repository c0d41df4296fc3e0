import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { CorrelationIdMiddleware, DynamoEventStoreModule } from 'nestjs-dynamo-es';
import { DynamoProjectionsModule } from 'nestjs-dynamo-es/projections';
import { Account, ACCOUNT_SNAPSHOT_VERSION } from './account.aggregate.js';
import { ACCOUNT_EVENTS } from './account.events.js';
import { DepositMoneyHandler } from './commands/deposit-money.handler.js';
import { OpenAccountHandler } from './commands/open-account.handler.js';
import { TransferMoneyHandler } from './commands/transfer-money.handler.js';
import { WithdrawMoneyHandler } from './commands/withdraw-money.handler.js';
import { AccountErrorsFilter } from './http/account-errors.filter.js';
import { AccountsController } from './http/accounts.controller.js';
import { ExactJsonNumbersMiddleware } from './http/exact-json-numbers.middleware.js';
import {
  HISTORY_READERS_OPTIONS,
  HistoryReaders,
  historyReadersOptions,
} from './http/history-readers.js';
import { TransfersController } from './http/transfers.controller.js';
import { GetAccountHandler } from './queries/get-account.handler.js';
import { AccountDirectoryProjection } from './read-model/account-directory.projection.js';

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([
      // A snapshot every 50 events keeps each load to one Query, however long the account's history grows.
      {
        aggregate: Account,
        events: ACCOUNT_EVENTS,
        snapshot: { every: 50, version: ACCOUNT_SNAPSHOT_VERSION },
      },
    ]),
    DynamoProjectionsModule.forFeature([AccountDirectoryProjection]),
  ],
  controllers: [AccountsController, TransfersController],
  providers: [
    OpenAccountHandler,
    DepositMoneyHandler,
    WithdrawMoneyHandler,
    TransferMoneyHandler,
    GetAccountHandler,
    HistoryReaders,
    {
      provide: HISTORY_READERS_OPTIONS,
      // Optional: the module also runs without the app's ConfigModule (the in-memory command tests).
      inject: [{ token: ConfigService, optional: true }],
      useFactory: historyReadersOptions,
    },
    { provide: APP_FILTER, useClass: AccountErrorsFilter },
  ],
})
export class AccountsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Every event a request leads to is stored with the request's X-Correlation-Id (or a new one); no amount is
    // read from a JSON number that parsing rounded.
    consumer
      .apply(CorrelationIdMiddleware, ExactJsonNumbersMiddleware)
      .forRoutes(AccountsController, TransfersController);
  }
}
