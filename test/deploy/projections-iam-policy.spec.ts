import { randomUUID } from 'node:crypto';
import {
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { DynamoEventStore, DynamoEventStoreModule, streamIdOf } from '../../lib/index.js';
import {
  createLeaseTable,
  createViewTable,
  DynamoProjectionsModule,
  getViewRepositoryToken,
  Projection,
  ProjectionHandler,
  Projections,
  SHARD_END,
  type ViewRepository,
  type ViewUpdate,
} from '../../lib/projections/index.js';
import { encodeLease, newLease } from '../../lib/projections/streams/lease-item.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../fixtures/bank-account.js';
import { createTestTable, testClientConfig } from '../support/dynamodb.js';
import { eventually } from '../support/eventually.js';
import { logIamActions, logStreamsIamActions } from './iam-action-log.js';
import {
  actionsAllowedOn,
  asList,
  distinct,
  grantsOf,
  matchesArn,
  type PolicyPlaceholders,
  readPolicy,
} from './iam-policy-document.js';

const POLICY = 'projections-iam-policy.json';

interface Balance extends Record<string, unknown> {
  owner: string;
  balance: number;
}

/**
 * Uses every write the view store has: a plain conditional put (a deposit), a transaction with an increment of
 * another document (an opening counts into "bank"), one that parks a stream (a withdrawal, until it is fixed) and
 * one that unparks it (the replay).
 */
@Projection('iam-balances')
class IamBalances {
  withdrawalsFail = true;

  @ProjectionHandler(AccountOpened)
  opened(event: AccountOpened, view: ViewUpdate<Balance>): void {
    view.set({ owner: event.owner, balance: 0 });
    view.increment('bank', { accounts: 1 });
  }

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, view: ViewUpdate<Balance>): void {
    view.set({ ...view.document!, balance: view.document!.balance + event.amount });
  }

  @ProjectionHandler(MoneyWithdrawn)
  withdrawn(event: MoneyWithdrawn, view: ViewUpdate<Balance>): void {
    if (this.withdrawalsFail) throw new Error('withdrawals are not handled yet');
    view.set({ ...view.document!, balance: view.document!.balance - event.amount });
  }
}

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
    DynamoProjectionsModule.forFeature([IamBalances]),
  ],
})
class AccountsModule {}

describe('deploy/projections-iam-policy.json (an instance that runs the projections)', () => {
  /** Sets up the tables and saves the events: requests of the event store's and admin's policies, not logged. */
  let setup: DynamoDBClient;
  let placeholders: Required<PolicyPlaceholders>;
  let streamArn: string;

  beforeAll(async () => {
    setup = new DynamoDBClient(testClientConfig());
    const eventsTable = await createTestTable(setup);
    const suffix = randomUUID();
    const [viewsTable, leaseTable] = [`views-iam-${suffix}`, `leases-iam-${suffix}`];
    await createViewTable(setup, viewsTable);
    await createLeaseTable(setup, leaseTable);
    const { Table } = await setup.send(new DescribeTableCommand({ TableName: eventsTable }));
    const [, , , region, accountId] = Table!.TableArn!.split(':');
    placeholders = {
      REGION: region!,
      ACCOUNT_ID: accountId!,
      TABLE_NAME: eventsTable,
      VIEWS_TABLE_NAME: viewsTable,
      LEASE_TABLE_NAME: leaseTable,
    };
    streamArn = Table!.LatestStreamArn!;
  });
  afterAll(() => setup.destroy());

  it('names the actions on the events table, its streams, the views table and the lease table, and nothing else', async () => {
    const policy = await readPolicy(POLICY);

    expect(policy.Version).toBe('2012-10-17');
    for (const statement of policy.Statement) {
      expect(Object.keys(statement).sort()).toEqual(['Action', 'Effect', 'Resource', 'Sid']);
      expect(statement.Effect).toBe('Allow');
      for (const action of asList(statement.Action))
        expect(action).toMatch(/^dynamodb:[A-Z][A-Za-z]+$/);
    }
    expect(policy.Statement.flatMap((statement) => asList(statement.Resource)).sort()).toEqual([
      'arn:aws:dynamodb:REGION:ACCOUNT_ID:table/LEASE_TABLE_NAME',
      'arn:aws:dynamodb:REGION:ACCOUNT_ID:table/TABLE_NAME',
      'arn:aws:dynamodb:REGION:ACCOUNT_ID:table/TABLE_NAME/stream/*',
      'arn:aws:dynamodb:REGION:ACCOUNT_ID:table/VIEWS_TABLE_NAME',
    ]);
  });

  it('allows exactly what the module sends, each action on its own resource: startup check, runner, views, parking, replay, lists, rebuild', async () => {
    const {
      TABLE_NAME: eventsTable,
      VIEWS_TABLE_NAME: viewsTable,
      LEASE_TABLE_NAME: leaseTable,
    } = placeholders;
    // A shard that was read to its end and has left the stream, as DynamoDB's shards do hours after they close:
    // the runner deletes its lease. moto's single shard never closes, so the lease is planted.
    const departed = {
      ...newLease(streamArn, 'shardId-00000000000000000000-departed', [], new Date()),
      checkpoint: SHARD_END,
    };
    await setup.send(new PutItemCommand({ TableName: leaseTable, Item: encodeLease(departed) }));

    const client = new DynamoDBClient(testClientConfig());
    const streamsClient = new DynamoDBStreamsClient(testClientConfig());
    const sent = logIamActions(client);
    const streamRequests = logStreamsIamActions(streamsClient);
    const store = new DynamoEventStore({ client: setup, tableName: eventsTable });
    let app: TestingModule | undefined;
    try {
      app = await Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          DynamoEventStoreModule.forRoot({ tableName: eventsTable, client }),
          DynamoProjectionsModule.forRoot({
            viewsTable,
            leaseTable,
            streamsClient,
            idleDelayMs: 50,
            failoverTimeMs: 1500,
            handlerAttempts: 2,
            handlerBackoff: () => 10,
          }),
          AccountsModule,
        ],
      }).compile();
      app.useLogger(false);
      await app.init();
      const balances = app.get<ViewRepository<Balance>>(getViewRepositoryToken(IamBalances));
      const projections = app.get(Projections);
      const id = randomUUID();
      const stream = streamIdOf('BankAccount', id);
      const balanceIs = (balance: number) =>
        eventually(
          () => balances.get(id),
          (found) => found?.balance === balance,
        );

      await store.appendToStream(stream, 0, [
        { type: 'AccountOpened', payload: new AccountOpened(id, 'Ada') },
        { type: 'MoneyDeposited', payload: new MoneyDeposited(id, 10) },
      ]);
      await balanceIs(10);
      await store.appendToStream(stream, 2, [
        { type: 'MoneyDeposited', payload: new MoneyDeposited(id, 5) },
      ]);
      await balanceIs(15);
      await store.appendToStream(stream, 3, [
        { type: 'MoneyWithdrawn', payload: new MoneyWithdrawn(id, 4) },
      ]);
      await eventually(
        () => projections.parked('iam-balances'),
        (parked) => parked.length === 1,
      );
      app.get(IamBalances).withdrawalsFail = false;
      await projections.replay('iam-balances', stream);

      expect(await balances.get(id)).toEqual({ owner: 'Ada', balance: 11 });
      expect(await projections.parked()).toEqual([]);
      expect(await balances.list()).toEqual(
        expect.arrayContaining([{ owner: 'Ada', balance: 11 }, { accounts: 1 }]),
      );
      const { Items: leases = [] } = await setup.send(
        new ScanCommand({ TableName: leaseTable, ConsistentRead: true }),
      );
      expect(leases.map((lease) => lease.leaseKey?.S)).not.toContain(departed.leaseKey);

      const rebuilt = await projections.rebuild('iam-balances', { segments: 2 });
      expect(rebuilt).toMatchObject({ status: 'done', streamsDone: 1, eventsApplied: 4 });
      expect(await balances.get(id)).toEqual({ owner: 'Ada', balance: 11 });
    } finally {
      await app?.close();
      client.destroy();
      streamsClient.destroy();
    }

    const arnOf = (tableName: string) =>
      `arn:aws:dynamodb:${placeholders.REGION}:${placeholders.ACCOUNT_ID}:table/${tableName}`;
    const requested = new Map<string, Set<string>>();
    for (const { resource, action } of [
      ...sent.map(({ tableName, action }) => ({ resource: arnOf(tableName), action })),
      ...streamRequests.map(({ streamArn, action }) => ({ resource: streamArn, action })),
    ])
      requested.set(resource, (requested.get(resource) ?? new Set()).add(action));
    const measured = Object.fromEntries(
      [...requested].map(([resource, actions]) => [resource, distinct(actions)]),
    );

    expect(measured).toEqual({
      [arnOf(eventsTable)]: ['dynamodb:DescribeTable', 'dynamodb:Query', 'dynamodb:Scan'],
      [streamArn]: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      [arnOf(viewsTable)]: [
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      [arnOf(leaseTable)]: [
        'dynamodb:DeleteItem',
        'dynamodb:DescribeTable',
        'dynamodb:PutItem',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
    });
    const policy = await readPolicy(POLICY);
    // No less: every resource requested is granted exactly the actions requested on it.
    for (const [resource, actions] of Object.entries(measured))
      expect({ resource, allowed: actionsAllowedOn(policy, placeholders, resource) }).toEqual({
        resource,
        allowed: actions,
      });
    // No more: every grant is for a resource that was requested, and each of its actions was requested there.
    for (const { resource, actions } of grantsOf(policy, placeholders)) {
      const requestedThere = Object.entries(measured)
        .filter(([arn]) => matchesArn(resource, arn))
        .flatMap(([, requestedActions]) => requestedActions);
      expect({ resource, actions: distinct(actions) }).toEqual({
        resource,
        actions: distinct(requestedThere),
      });
    }
  });
});
