import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule, EventPublisher } from '@nestjs/cqrs';
import {
  type AggregateRepository,
  DynamoEventStore,
  DynamoEventStoreModule,
  getAggregateRepositoryToken,
  UnitOfWork,
} from 'nestjs-dynamo-es';
import { Account } from '../../sample/accounts/account.aggregate.js';
import { ACCOUNT_EVENTS } from '../../sample/accounts/account.events.js';

/** The sample's Account under a snapshot policy of its own, for side-by-side measurements. */
export class SnapshottedAccount extends Account {}

export interface AccountStore {
  readonly store: DynamoEventStore;
  /** For hand-written code that publishes as the repository does. */
  readonly publisher: EventPublisher;
  readonly accounts: AggregateRepository<Account>;
  readonly snapshotted: AggregateRepository<SnapshottedAccount>;
  readonly unitOfWork: UnitOfWork;
  close(): Promise<void>;
}

/**
 * A Nest application context with the sample's Account registered twice: without and with snapshots. Given a
 * client, the module sends with it; given client settings, it creates its clients as it does in an application.
 */
export async function startAccountStore(
  clients: DynamoDBClient | { readonly clientConfig: DynamoDBClientConfig },
  tableName: string,
  snapshotEvery: number,
  { openTelemetry = true }: { openTelemetry?: boolean } = {},
): Promise<AccountStore> {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      // Also on stubbed transports, which answer only the operations measured: no start-up DescribeTable.
      DynamoEventStoreModule.forRoot({
        ...(clients instanceof DynamoDBClient ? { client: clients } : clients),
        tableName,
        checkTablesOnStartup: false,
        openTelemetry,
      }),
      DynamoEventStoreModule.forFeature([
        { aggregate: Account, events: ACCOUNT_EVENTS },
        {
          aggregate: SnapshottedAccount,
          type: 'SnapshottedAccount',
          events: ACCOUNT_EVENTS,
          snapshot: { every: snapshotEvery },
        },
      ]),
    ],
  })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  return {
    store: app.get(DynamoEventStore),
    publisher: app.get(EventPublisher),
    accounts: app.get(getAggregateRepositoryToken(Account)),
    snapshotted: app.get(getAggregateRepositoryToken(SnapshottedAccount)),
    unitOfWork: app.get(UnitOfWork),
    close: () => app.close(),
  };
}
