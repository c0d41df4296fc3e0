import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DynamicModule, Injectable, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import { WatchedPutItemCommand } from '../../lib/dynamodb/writes/write-attempts.js';
import {
  AggregateConfigurationError,
  AggregateRepository,
  DynamoEventStore,
  DYNAMODB_CLIENT,
  DynamoEventStoreModule,
  type DynamoEventStoreModuleOptions,
  type DynamoEventStoreOptionsFactory,
  EVENT_STORE,
  type EventRegistration,
  EventTypeRegistry,
  InjectAggregateRepository,
} from '../../lib/index.js';
import { InMemoryEventStore, InMemoryEventStoreModule } from '../../lib/testing/index.js';
import { BANK_ACCOUNT_EVENTS, BankAccount } from '../fixtures/bank-account.js';
import { createTestTable, testClient, testClientConfig } from '../support/dynamodb.js';

let tableName: string;

beforeAll(async () => {
  const client = testClient();
  tableName = await createTestTable(client);
  client.destroy();
});
afterEach(() => jest.restoreAllMocks());

@Injectable()
class AccountService {
  constructor(
    @InjectAggregateRepository(BankAccount)
    readonly accounts: AggregateRepository<BankAccount>,
  ) {}
}

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
  ],
  providers: [AccountService],
})
class AccountsModule {}

@Injectable()
class EventStoreSettings {
  readonly tableName = () => tableName;
}

@Module({ providers: [EventStoreSettings], exports: [EventStoreSettings] })
class SettingsModule {}

@Injectable()
class EventStoreOptionsFactory implements DynamoEventStoreOptionsFactory {
  createDynamoEventStoreOptions(): DynamoEventStoreModuleOptions {
    return { tableName, clientConfig: testClientConfig() };
  }
}

async function bootstrap(store: DynamicModule) {
  const app = await Test.createTestingModule({
    imports: [CqrsModule.forRoot(), store, AccountsModule],
  }).compile();
  await app.init();
  return app;
}

/** Saves and reloads through the injected repository: proof the wiring reaches the table. */
async function roundTrip(accounts: AggregateRepository<BankAccount>): Promise<void> {
  const account = await accounts.load(randomUUID());
  account.open('Ada');
  await accounts.save(account);
  expect((await accounts.load(account.id)).owner).toBe('Ada');
}

describe('DynamoEventStoreModule', () => {
  it('forRoot with client settings injects a working repository into a feature module', async () => {
    const app = await bootstrap(
      DynamoEventStoreModule.forRoot({ tableName, clientConfig: testClientConfig() }),
    );

    const { accounts } = app.get(AccountService);

    expect(accounts).toBeInstanceOf(AggregateRepository);
    await roundTrip(accounts);
    expect(app.get(DynamoEventStore).tableName).toBe(tableName);
    expect(app.get(EVENT_STORE)).toBe(app.get(DynamoEventStore));
    await app.close();
  });

  it('runs the same feature module unchanged on the in-memory store', async () => {
    const app = await bootstrap(InMemoryEventStoreModule.forRoot());

    await roundTrip(app.get(AccountService).accounts);
    expect(app.get(EVENT_STORE)).toBeInstanceOf(InMemoryEventStore);
    await app.close();
  });

  it('says to import an event store module when there is none', async () => {
    const compile = Test.createTestingModule({
      imports: [CqrsModule.forRoot(), AccountsModule],
    }).compile();

    await expect(compile).rejects.toThrow(/import DynamoEventStoreModule\.forRoot\(\)/);
  });

  it('forRootAsync with useFactory and inject', async () => {
    const app = await bootstrap(
      DynamoEventStoreModule.forRootAsync({
        imports: [SettingsModule],
        inject: [EventStoreSettings],
        useFactory: (settings: EventStoreSettings) => ({
          tableName: settings.tableName(),
          clientConfig: testClientConfig(),
        }),
      }),
    );

    await roundTrip(app.get(AccountService).accounts);
    await app.close();
  });

  it('forRootAsync with useClass', async () => {
    const app = await bootstrap(
      DynamoEventStoreModule.forRootAsync({ useClass: EventStoreOptionsFactory }),
    );

    await roundTrip(app.get(AccountService).accounts);
    await app.close();
  });

  it('forRootAsync with useExisting', async () => {
    @Module({ providers: [EventStoreOptionsFactory], exports: [EventStoreOptionsFactory] })
    class OptionsModule {}

    const app = await bootstrap(
      DynamoEventStoreModule.forRootAsync({
        imports: [OptionsModule],
        useExisting: EventStoreOptionsFactory,
      }),
    );

    await roundTrip(app.get(AccountService).accounts);
    await app.close();
  });

  it('destroys the clients it created when the application shuts down', async () => {
    const destroy = jest.spyOn(DynamoDBClient.prototype, 'destroy');
    const app = await bootstrap(
      DynamoEventStoreModule.forRoot({ tableName, clientConfig: testClientConfig() }),
    );
    expect(destroy).not.toHaveBeenCalled();

    await app.close();

    expect(destroy).toHaveBeenCalledTimes(2);
  });

  it('sends the store’s requests with a client that caches its handler stacks, and shares one a DocumentClient accepts, on the same connections', async () => {
    const app = await bootstrap(
      DynamoEventStoreModule.forRoot({ tableName, clientConfig: testClientConfig() }),
    );
    try {
      const shared = app.get<DynamoDBClient>(DYNAMODB_CLIENT);
      const storeClient = app.get<{ client: DynamoDBClient }>(DynamoEventStore).client;

      await roundTrip(app.get(AccountService).accounts);

      expect(storeClient.config.cacheMiddleware).toBe(true);
      expect(shared.config.cacheMiddleware).toBeFalsy();
      expect(shared.config.requestHandler).toBe(storeClient.config.requestHandler);
      expect(() => DynamoDBDocumentClient.from(shared)).not.toThrow();
    } finally {
      await app.close();
    }
  });

  it('keeps the store client’s cached handler stacks across history reads', async () => {
    const app = await bootstrap(
      DynamoEventStoreModule.forRoot({ tableName, clientConfig: testClientConfig() }),
    );
    // A stack is resolved once per command class while the cache holds; a request sent with options empties it.
    const resolved = jest.spyOn(WatchedPutItemCommand.prototype, 'resolveMiddleware');
    try {
      const { accounts } = app.get(AccountService);
      const account = await accounts.load(randomUUID());
      account.open('Ada');
      await accounts.save(account);
      const history = await lastValueFrom(accounts.history(account.id).pipe(toArray()));
      account.deposit(5);
      await accounts.save(account);

      expect(history.map(({ type }) => type)).toEqual(['AccountOpened']);
      expect(resolved).toHaveBeenCalledTimes(1);
    } finally {
      resolved.mockRestore();
      await app.close();
    }
  });

  it('caches no handler stack when clientConfig says so', async () => {
    const app = await bootstrap(
      DynamoEventStoreModule.forRoot({
        tableName,
        clientConfig: { ...testClientConfig(), cacheMiddleware: false },
      }),
    );
    const storeClient = app.get<{ client: DynamoDBClient }>(DynamoEventStore).client;

    expect(storeClient.config.cacheMiddleware).toBe(false);
    await app.close();
  });

  it('leaves a client it was given alone when the application shuts down', async () => {
    const client = testClient();
    const destroy = jest.spyOn(client, 'destroy');
    const app = await bootstrap(DynamoEventStoreModule.forRoot({ tableName, client }));

    await roundTrip(app.get(AccountService).accounts);
    await app.close();

    expect(destroy).not.toHaveBeenCalled();
    await roundTrip(app.get(AccountService).accounts);
    client.destroy();
  });

  it('says to import CqrsModule when the EventBus is missing', async () => {
    const compile = Test.createTestingModule({
      imports: [
        DynamoEventStoreModule.forRoot({ tableName, client: testClient() }),
        AccountsModule,
      ],
    }).compile();

    await expect(compile).rejects.toBeInstanceOf(AggregateConfigurationError);
    await expect(compile).rejects.toThrow(/CqrsModule\.forRoot\(\)/);
  });

  it('refuses two different event classes under one name at start-up', async () => {
    const Duplicate = class MoneyDeposited {};

    const compile = Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventStoreModule.forRoot({ tableName, client: testClient() }),
        DynamoEventStoreModule.forFeature([
          { aggregate: BankAccount, events: [...BANK_ACCOUNT_EVENTS, Duplicate] },
        ]),
      ],
    }).compile();

    await expect(compile).rejects.toThrow(
      /Two different event classes are stored under the name "MoneyDeposited"/,
    );
  });

  it('refuses event classes of one name in two aggregates, unless one is stored under another name', async () => {
    const TransferReceived = class MoneyDeposited {};
    class Ledger extends BankAccount {}
    const start = (events: EventRegistration[]) =>
      Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          DynamoEventStoreModule.forRoot({ tableName, client: testClient() }),
          DynamoEventStoreModule.forFeature([
            { aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS },
            { aggregate: Ledger, events },
          ]),
        ],
      }).compile();

    await expect(start([TransferReceived])).rejects.toThrow(
      /registered by "BankAccount", one by "Ledger"/,
    );
    const app = await start([{ event: TransferReceived, name: 'LedgerMoneyDeposited' }]);
    expect(app.get(EventTypeRegistry).typeNamed('LedgerMoneyDeposited')?.eventClass).toBe(
      TransferReceived,
    );
    await app.close();
  });
});
