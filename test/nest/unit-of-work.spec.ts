import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AggregateRepository,
  type AppendResult,
  ConcurrencyError,
  DynamoEventStoreModule,
  EVENT_STORE,
  type EventStore,
  EventStoreWriteError,
  getAggregateRepositoryToken,
  IdempotencyKeyMismatchError,
  InMemoryEventStore,
  type MultiStreamAppendOptions,
  retryOnConflict,
  type StreamAppend,
  UnitOfWork,
} from '../../lib/index.js';
import { InMemoryEventStoreModule } from '../../lib/testing/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../fixtures/bank-account.js';
import { createTestTable, testClientConfig } from '../support/dynamodb.js';
import { RequestLog } from '../support/request-log.js';

@EventsHandler(AccountOpened, MoneyDeposited, MoneyWithdrawn)
class PublishedEvents implements IEventHandler {
  static seen: string[] = [];
  handle(event: object): void {
    PublishedEvents.seen.push(`${event.constructor.name} ${(event as MoneyDeposited).accountId}`);
  }
}

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
  ],
  providers: [PublishedEvents],
})
class AccountsModule {}

/** The in-memory store, whose next write is stored but answered with an unknown outcome, as a lost answer is. */
class LosingAnswersStore extends InMemoryEventStore {
  answersToLose = 0;

  override async appendToStreams(
    appends: readonly StreamAppend[],
    options?: MultiStreamAppendOptions,
  ): Promise<AppendResult[]> {
    const results = await super.appendToStreams(appends, options);
    if (this.answersToLose > 0) {
      this.answersToLose--;
      throw new EventStoreWriteError(appends[0]!.streamId, appends[0]!.expectedVersion, 'unknown', {
        cause: new Error('socket hang up'),
      });
    }
    return results;
  }
}

interface StoreCase {
  readonly name: string;
  readonly rootModule: () => Promise<{
    module: ReturnType<typeof InMemoryEventStoreModule.forRoot>;
    log?: RequestLog;
  }>;
}

const STORES: StoreCase[] = [
  {
    name: 'the in-memory store',
    rootModule: () =>
      Promise.resolve({
        module: InMemoryEventStoreModule.forRoot({ store: new LosingAnswersStore() }),
      }),
  },
  {
    name: 'DynamoDB',
    rootModule: async () => {
      const client = new DynamoDBClient(testClientConfig());
      const log = RequestLog.attachTo(client);
      return {
        module: DynamoEventStoreModule.forRoot({
          tableName: await createTestTable(client),
          client,
        }),
        log,
      };
    },
  },
];

describe.each(STORES)('UnitOfWork on $name', ({ rootModule }) => {
  let app: TestingModule;
  let log: RequestLog | undefined;
  beforeAll(async () => {
    const root = await rootModule();
    log = root.log;
    app = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), root.module, AccountsModule],
    }).compile();
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    PublishedEvents.seen = [];
    log?.requests.splice(0);
  });

  const accounts = () =>
    app.get<AggregateRepository<BankAccount>>(getAggregateRepositoryToken(BankAccount));
  const unitOfWork = () => app.get(UnitOfWork);
  const store = () => app.get<EventStore>(EVENT_STORE);
  const writes = () =>
    log ? log.count('TransactWriteItemsCommand') + log.count('PutItemCommand') : undefined;

  async function openAccount(balance: number): Promise<string> {
    const account = await accounts().load(randomUUID());
    account.open('Ada');
    if (balance > 0) account.deposit(balance);
    await accounts().save(account);
    return account.id;
  }

  async function transfer(fromId: string, toId: string, amount: number) {
    const [from, to] = [await accounts().load(fromId), await accounts().load(toId)];
    from.withdraw(amount);
    to.deposit(amount);
    return { from, to };
  }

  it('writes the events of several aggregates in one write, then publishes them', async () => {
    const [fromId, toId] = [await openAccount(100), await openAccount(0)];
    const { from, to } = await transfer(fromId, toId, 30);
    PublishedEvents.seen = [];
    log?.requests.splice(0);

    const results = await unitOfWork().saveAll([from, to]);

    expect(results.map(({ version }) => version)).toEqual([3, 2]);
    expect([accounts().versionOf(from), accounts().versionOf(to)]).toEqual([3, 2]);
    expect((await accounts().load(fromId)).balance).toBe(70);
    expect((await accounts().load(toId)).balance).toBe(30);
    expect(PublishedEvents.seen).toEqual([`MoneyWithdrawn ${fromId}`, `MoneyDeposited ${toId}`]);
    if (log) expect(log.count('TransactWriteItemsCommand')).toBe(1);
  });

  it('writes and publishes nothing when one aggregate has moved on, and names its stream', async () => {
    const [fromId, toId] = [await openAccount(100), await openAccount(0)];
    const { from, to } = await transfer(fromId, toId, 30);
    const rival = await accounts().load(toId);
    rival.deposit(1);
    await accounts().save(rival);
    PublishedEvents.seen = [];

    const error = await unitOfWork()
      .saveAll([from, to])
      .catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: `BankAccount#${toId}`, expectedVersion: 1 });
    expect((await accounts().load(fromId)).balance).toBe(100);
    expect((await accounts().load(toId)).balance).toBe(1);
    expect(PublishedEvents.seen).toEqual([]);
    expect(from.getUncommittedEvents()).toHaveLength(1);
  });

  describe('run, with an idempotency key', () => {
    class Transfer {
      constructor(
        readonly fromId: string,
        readonly toId: string,
        readonly amount: number,
      ) {}
    }

    const execute = (command: Transfer, key: string, decisions: { count: number }) =>
      unitOfWork().run({ idempotencyKey: key, request: command }, async (saves) => {
        decisions.count++;
        const { from, to } = await transfer(command.fromId, command.toId, command.amount);
        return { fromVersion: saves.save(from), toVersion: saves.save(to), balance: from.balance };
      });

    it('answers a repeat with the first answer, deciding and writing nothing', async () => {
      const command = new Transfer(await openAccount(100), await openAccount(0), 30);
      const key = randomUUID();
      const decisions = { count: 0 };
      const first = await execute(command, key, decisions);
      PublishedEvents.seen = [];
      log?.requests.splice(0);

      const repeat = await execute(new Transfer(command.fromId, command.toId, 30), key, decisions);

      expect(first).toEqual({ fromVersion: 3, toVersion: 2, balance: 70 });
      expect(repeat).toEqual(first);
      expect(decisions.count).toBe(1);
      expect(writes()).toBe(log ? 0 : undefined);
      expect(PublishedEvents.seen).toEqual([]);
      expect((await accounts().load(command.fromId)).balance).toBe(70);
      expect(await store().readIdempotencyKey(key)).toMatchObject({
        result: first,
        streams: [
          { streamId: `BankAccount#${command.fromId}`, version: 3 },
          { streamId: `BankAccount#${command.toId}`, version: 2 },
        ],
      });
    });

    it('refuses the key for a different request with IdempotencyKeyMismatchError, writing nothing', async () => {
      const command = new Transfer(await openAccount(100), await openAccount(0), 30);
      const key = randomUUID();
      await execute(command, key, { count: 0 });

      const error = await execute(new Transfer(command.fromId, command.toId, 31), key, {
        count: 0,
      }).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(IdempotencyKeyMismatchError);
      expect((error as Error).message).toMatch(/was used at .* for a different request/);
      expect((await accounts().load(command.fromId)).balance).toBe(70);
    });

    it('writes once for five copies of a command sent at once, and gives each the same answer', async () => {
      const command = new Transfer(await openAccount(100), await openAccount(0), 30);
      const key = randomUUID();

      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          retryOnConflict(() => execute(command, key, { count: 0 }), { baseDelayMs: 0 }),
        ),
      );

      expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
      expect((await accounts().load(command.fromId)).balance).toBe(70);
      expect((await accounts().load(command.toId)).balance).toBe(30);
    });
  });
});

describe('UnitOfWork when an answer is lost', () => {
  /** An application on a store that loses the answers it is told to lose. */
  async function appLosingAnswers() {
    const store = new LosingAnswersStore();
    const app = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), InMemoryEventStoreModule.forRoot({ store }), AccountsModule],
    }).compile();
    await app.init();
    const accounts = app.get<AggregateRepository<BankAccount>>(
      getAggregateRepositoryToken(BankAccount),
    );
    return { store, app, accounts };
  }

  it('sends the same events again inside retryOnConflict: stored once, published once', async () => {
    const { store, app, accounts } = await appLosingAnswers();
    try {
      const [from, to] = [await accounts.load(randomUUID()), await accounts.load(randomUUID())];
      from.open('Ada');
      to.open('Bob');
      PublishedEvents.seen = [];
      store.answersToLose = 2;

      await retryOnConflict(() => app.get(UnitOfWork).saveAll([from, to]), { baseDelayMs: 0 });

      expect(store.allEvents().map(({ type, streamId }) => `${type} ${streamId}`)).toEqual([
        `AccountOpened BankAccount#${from.id}`,
        `AccountOpened BankAccount#${to.id}`,
      ]);
      expect(PublishedEvents.seen).toHaveLength(2);
    } finally {
      await app.close();
    }
  });

  it('fails with the unknown outcome outside retryOnConflict, leaving the events to be saved again', async () => {
    const { store, app, accounts } = await appLosingAnswers();
    try {
      const account = await accounts.load(randomUUID());
      account.open('Ada');
      store.answersToLose = 1;

      const error = await app
        .get(UnitOfWork)
        .saveAll([account])
        .catch((thrown: unknown) => thrown);
      await app.get(UnitOfWork).saveAll([account]);

      expect(error).toMatchObject({ outcome: 'unknown' });
      expect(store.allEvents()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
