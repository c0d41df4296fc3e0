import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TestingModule } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  AccessDeniedError,
  type AggregateRepository,
  DynamoEventStore,
  EventSerializationError,
  InvalidStreamIdError,
  TableNotFoundError,
} from '../../lib/index.js';
import { BANK_ACCOUNT_EVENTS, BankAccount, MoneyDeposited } from '../fixtures/bank-account.js';
import { type LocalDynamoDB, startLocalDynamoDB } from '../../lib/testing/local-dynamodb.js';
import { createTestTable, testClient, testClientConfig } from '../support/dynamodb.js';
import { repositoryOf, startEventStoreApp } from '../support/event-store-app.js';
import { RequestLog } from '../support/request-log.js';

/** A deposit whose payload carries whatever a careless caller put into it. */
class CarelessDeposit extends MoneyDeposited {
  constructor(
    accountId: string,
    readonly extra: unknown,
  ) {
    super(accountId, 1);
  }
}

let client: DynamoDBClient;
let requests: RequestLog;
let app: TestingModule;
let accounts: AggregateRepository<BankAccount>;
let store: DynamoEventStore;

beforeAll(async () => {
  client = testClient();
  requests = RequestLog.attachTo(client);
  app = await startEventStoreApp({
    client,
    tableName: await createTestTable(client),
    features: [{ aggregate: BankAccount, events: [...BANK_ACCOUNT_EVENTS, CarelessDeposit] }],
  });
  accounts = repositoryOf(app, BankAccount);
  store = app.get(DynamoEventStore);
});
afterAll(async () => {
  await app.close();
  client.destroy();
});

async function openAccount(): Promise<BankAccount> {
  const account = await accounts.load(randomUUID());
  account.open('Ada');
  await accounts.save(account);
  requests.clear();
  return account;
}

const cycle = () => {
  const node: Record<string, unknown> = {};
  node.self = node;
  return node;
};

describe('bad input gets a typed error naming the cause, and nothing is written', () => {
  it.each([
    ['a function', () => 1, /field "extra" is a function/],
    ['a cycle', cycle(), /circular/i],
    ['a BigInt beyond what JSON numbers hold', 2n ** 64n, /field "extra" is a bigint/],
    ['undefined inside an array', [1, undefined], /field "extra\[1\]" is undefined in an array/],
  ])('an event payload holding %s', async (_, extra, cause) => {
    const account = await openAccount();
    account.apply(new CarelessDeposit(account.id, extra));

    const save = accounts.save(account);

    await expect(save).rejects.toBeInstanceOf(EventSerializationError);
    await expect(save).rejects.toThrow(cause);
    expect(requests.count('PutItemCommand') + requests.count('TransactWriteItemsCommand')).toBe(0);
    expect(account.getUncommittedEvents()).toHaveLength(1);
    expect(await store.readStreamVersion(`BankAccount#${account.id}`)).toBe(1);
  });

  it('keeps undefined fields as undefined: JSON leaves them out and reading back leaves them unset', async () => {
    const account = await openAccount();
    account.apply(new CarelessDeposit(account.id, undefined));

    await accounts.save(account);

    const history = await lastValueFrom(accounts.history(account.id).pipe(toArray()));
    const event = history[1]!.event as CarelessDeposit;
    expect(event).toBeInstanceOf(CarelessDeposit);
    expect(event.extra).toBeUndefined();
    expect(event.amount).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['too long for a partition key', 'x'.repeat(2048)],
  ])('an aggregate id that is %s', async (_, id) => {
    requests.clear();

    await expect(accounts.load(id)).rejects.toBeInstanceOf(InvalidStreamIdError);
    expect(() => accounts.create(id)).toThrow(InvalidStreamIdError);
    expect(requests.count()).toBe(0);
  });

  describe('a table that does not exist', () => {
    let missing: TestingModule;
    let missingAccounts: AggregateRepository<BankAccount>;

    beforeAll(async () => {
      missing = await startEventStoreApp({
        client,
        tableName: `no-such-table-${randomUUID()}`,
        features: [{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }],
        // What loads and saves do when the table is gone after the start: the startup check would refuse the start.
        moduleOptions: { checkTablesOnStartup: false },
      });
      missingAccounts = repositoryOf(missing, BankAccount);
    });
    afterAll(() => missing.close());

    it('fails loads with TableNotFoundError', async () => {
      await expect(missingAccounts.load(randomUUID())).rejects.toBeInstanceOf(TableNotFoundError);
    });

    it('fails saves with TableNotFoundError, naming the table', async () => {
      const account = missingAccounts.create(randomUUID());
      account.open('Ada');

      const save = missingAccounts.save(account);

      await expect(save).rejects.toBeInstanceOf(TableNotFoundError);
      await expect(save).rejects.toThrow(/Table "no-such-table-/);
      expect(account.getUncommittedEvents()).toHaveLength(1);
    });
  });

  describe('credentials the endpoint refuses', () => {
    let guarded: LocalDynamoDB;
    let refused: TestingModule;
    let refusedAccounts: AggregateRepository<BankAccount>;

    beforeAll(async () => {
      // A moto of its own that checks credentials, which the shared one does not.
      guarded = await startLocalDynamoDB({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '0' } });
      refused = await startEventStoreApp({
        tableName: 'events',
        features: [{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }],
        moduleOptions: {
          clientConfig: {
            ...testClientConfig(),
            endpoint: guarded.endpoint,
            credentials: { accessKeyId: 'AKIAWRONG', secretAccessKey: 'wrong' },
          },
          maxAttempts: 1,
          // What loads and saves do when credentials are refused after the start (rotated, revoked): the startup
          // check would refuse the start.
          checkTablesOnStartup: false,
        },
      });
      refusedAccounts = repositoryOf(refused, BankAccount);
    });
    afterAll(async () => {
      await refused.close();
      await guarded.stop();
    });

    it('fail loads and saves with AccessDeniedError', async () => {
      const account = refusedAccounts.create(randomUUID());
      account.open('Ada');

      await expect(refusedAccounts.load(randomUUID())).rejects.toThrow(
        /Access to table "events" was refused: the endpoint answered 403/,
      );
      await expect(refusedAccounts.save(account)).rejects.toBeInstanceOf(AccessDeniedError);
      expect(account.getUncommittedEvents()).toHaveLength(1);
    });
  });
});
