// A Lambda function's file as a user writes one, run by lambda-entry.spec.ts in a node process of its own (where
// some packages cannot be found): builds the handler, invokes it with the event in the JSON file named by argv[2],
// and prints the response and the account's document as JSON.
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { dynamoDBClientConfig, DynamoEventStoreModule } from '../../../lib/index.js';
import { createProjectionsHandler } from '../../../lib/lambda/index.js';
import {
  DynamoProjectionsModule,
  DynamoViewStore,
  Projection,
  ProjectionHandler,
  ViewRepository,
  type ViewUpdate,
} from '../../../lib/projections/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
} from '../../fixtures/bank-account.js';

interface Balance extends Record<string, unknown> {
  owner: string;
  balance: number;
}

@Projection('process-balances')
class ProcessBalances {
  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<Balance>): void {
    view.set({ owner: event.owner, balance: 0 });
  }

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, view: ViewUpdate<Balance>): void {
    view.set({ ...view.document!, balance: view.document!.balance + event.amount });
  }
}

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
    DynamoProjectionsModule.forFeature([ProcessBalances]),
  ],
})
class AccountsModule {}

const clientConfig = dynamoDBClientConfig({ endpoint: process.env.DYNAMODB_ENDPOINT });

@Module({
  imports: [
    CqrsModule.forRoot(),
    DynamoEventStoreModule.forRoot({ tableName: process.env.EVENTS_TABLE!, clientConfig }),
    DynamoProjectionsModule.forRoot({
      viewsTable: process.env.VIEWS_TABLE!,
      runner: false,
      handlerFailures: 'throw',
    }),
    AccountsModule,
  ],
})
class ProjectionsLambdaModule {}

export const handler = createProjectionsHandler(ProjectionsLambdaModule, {
  contextOptions: { logger: false },
});

const event = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as Parameters<typeof handler>[0];
const response = await handler(event);
const client = new DynamoDBClient(clientConfig);
const document = await new ViewRepository<Balance>(
  new DynamoViewStore({ client, tableName: process.env.VIEWS_TABLE! }),
  'process-balances',
).get(process.env.ACCOUNT_ID!);
client.destroy();
console.log(JSON.stringify({ response, document }));
// The handler's context stays open, as in a Lambda container: end the process here.
process.exit(0);
