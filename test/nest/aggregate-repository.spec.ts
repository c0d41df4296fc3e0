import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import {
  CommandBus,
  CommandHandler,
  EventPublisher,
  EventsHandler,
  type ICommandHandler,
  type IEventHandler,
} from '@nestjs/cqrs';
import type { TestingModule } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  AggregateConfigurationError,
  AggregateNotLoadedError,
  type AggregateRepository,
  CommitBeforeSaveError,
  ConcurrencyError,
  type EventStore,
  getAggregateRepositoryToken,
  InjectEventStore,
  InjectAggregateRepository,
  streamIdOf,
  UnknownEventTypeError,
  UnregisteredEventError,
} from '../../lib/index.js';
import { InMemoryEventStore } from '../../lib/testing/index.js';
import { startInMemoryApp } from '../support/event-store-app.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  type BankAccountEvent,
  MoneyDeposited,
  MoneyWithdrawn,
} from '../fixtures/bank-account.js';

interface Delivery {
  readonly event: BankAccountEvent;
  /** The stream's stored version at the moment the handler received the event. */
  readonly storedVersion: Promise<number>;
}

@EventsHandler(AccountOpened, MoneyDeposited, MoneyWithdrawn)
class RecordingEventHandler implements IEventHandler<BankAccountEvent> {
  static deliveries: Delivery[] = [];

  constructor(@InjectEventStore() private readonly store: EventStore) {}

  handle(event: BankAccountEvent): void {
    RecordingEventHandler.deliveries.push({
      event,
      storedVersion: this.store.readStreamVersion(streamIdOf('BankAccount', event.accountId)),
    });
  }
}

class DepositMoney {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

@Injectable()
@CommandHandler(DepositMoney)
class DepositMoneyHandler implements ICommandHandler<DepositMoney> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  async execute({ accountId, amount }: DepositMoney): Promise<void> {
    const account = await this.accounts.load(accountId);
    account.deposit(amount);
    await this.accounts.save(account);
  }
}

class Untracked {
  constructor(readonly accountId: string) {}
}

class AutoCommitAccount extends BankAccount {
  constructor(id: string) {
    super(id);
    this.autoCommit = true;
  }
}

let app: TestingModule;
let accounts: AggregateRepository<BankAccount>;
let store: InMemoryEventStore;
let appends: jest.SpiedFunction<InMemoryEventStore['appendToStream']>;

beforeAll(async () => {
  app = await startInMemoryApp({
    features: [
      { aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS },
      { aggregate: AutoCommitAccount, events: BANK_ACCOUNT_EVENTS },
    ],
    providers: [RecordingEventHandler, DepositMoneyHandler],
  });
  accounts = app.get(getAggregateRepositoryToken(BankAccount));
  store = app.get(InMemoryEventStore);
  appends = jest.spyOn(store, 'appendToStream');
});
afterAll(() => app.close());
beforeEach(() => {
  appends.mockClear();
  RecordingEventHandler.deliveries = [];
});

const newId = () => randomUUID();
const deliveredEvents = () => RecordingEventHandler.deliveries.map((delivery) => delivery.event);

async function openAccount(owner = 'Ada', deposits: number[] = []): Promise<string> {
  const id = newId();
  const account = await accounts.load(id);
  account.open(owner);
  for (const amount of deposits) account.deposit(amount);
  await accounts.save(account);
  RecordingEventHandler.deliveries = [];
  appends.mockClear();
  return id;
}

describe('AggregateRepository', () => {
  describe('load', () => {
    it('gives a new aggregate at version 0 for an id with no stream', async () => {
      const account = await accounts.load(newId());

      expect(account).toBeInstanceOf(BankAccount);
      expect(account.owner).toBeUndefined();
      expect(accounts.versionOf(account)).toBe(0);
    });

    it('rebuilds the aggregate from its history, at the version of its last event', async () => {
      const id = await openAccount('Ada', [100, 50]);

      const account = await accounts.load(id);

      expect(account.id).toBe(id);
      expect(account.owner).toBe('Ada');
      expect(account.balance).toBe(150);
      expect(accounts.versionOf(account)).toBe(3);
      expect(account.getUncommittedEvents()).toEqual([]);
    });

    it('fails with UnknownEventTypeError naming the type and stream of an unregistered stored event', async () => {
      const id = await openAccount();
      await store.appendToStream(streamIdOf('BankAccount', id), 1, [
        { type: 'AccountFrozen', payload: {} },
      ]);

      const load = accounts.load(id);

      await expect(load).rejects.toBeInstanceOf(UnknownEventTypeError);
      await expect(load).rejects.toMatchObject({
        eventType: 'AccountFrozen',
        streamId: `BankAccount#${id}`,
        version: 2,
      });
    });
  });

  describe('stored payloads', () => {
    it('replays an event whose payload has a "__proto__" key as an instance of its class, the key kept', async () => {
      const id = await openAccount('Ada', [50]);
      await store.appendToStream(streamIdOf('BankAccount', id), 2, [
        {
          type: 'MoneyDeposited',
          payload: JSON.parse(`{"accountId":"${id}","amount":70,"__proto__":{"amount":0}}`),
        },
        { type: 'MoneyDeposited', payload: { accountId: id, amount: 5 } },
      ]);

      const account = await accounts.load(id);
      const history = await lastValueFrom(accounts.history(id).pipe(toArray()));

      expect(account.balance).toBe(125);
      expect(history[2]!.event).toBeInstanceOf(MoneyDeposited);
      expect(Object.keys(history[2]!.event)).toEqual(['accountId', 'amount', '__proto__']);
    });

    it('reports the registered type of an event whose payload has a "constructor" key', async () => {
      const id = await openAccount();
      await store.appendToStream(streamIdOf('BankAccount', id), 1, [
        { type: 'MoneyDeposited', payload: { accountId: id, amount: 5, constructor: 'Forged' } },
      ]);

      const history = await lastValueFrom(accounts.history(id).pipe(toArray()));

      expect(history[1]).toMatchObject({ type: 'MoneyDeposited', version: 2 });
      expect(history[1]!.event).toBeInstanceOf(MoneyDeposited);
      expect((await accounts.load(id)).balance).toBe(5);
    });

    it('stores an event by its class, whatever its own fields are called', async () => {
      const account = await accounts.load(newId());
      const deposit = Object.assign(new MoneyDeposited(account.id, 5), { constructor: 'Forged' });
      account.apply(deposit);

      await accounts.save(account);

      expect(store.allEvents().at(-1)).toMatchObject({ type: 'MoneyDeposited' });
    });
  });

  describe('exists', () => {
    it('tells whether the aggregate has a stream', async () => {
      const id = await openAccount();

      expect(await accounts.exists(id)).toBe(true);
      expect(await accounts.exists(newId())).toBe(false);
    });
  });

  describe('save', () => {
    it('appends the uncommitted events in one append and moves the aggregate to their version', async () => {
      const account = await accounts.load(newId());
      account.open('Ada');
      account.deposit(100);

      const result = await accounts.save(account);

      expect(appends).toHaveBeenCalledTimes(1);
      expect(appends.mock.calls[0]![2]).toHaveLength(2);
      expect(result.version).toBe(2);
      expect(accounts.versionOf(account)).toBe(2);
      expect(account.getUncommittedEvents()).toEqual([]);
    });

    it('lets the same aggregate be saved again after more events', async () => {
      const account = await accounts.load(newId());
      account.open('Ada');
      await accounts.save(account);
      account.deposit(10);
      await accounts.save(account);

      expect((await accounts.load(accounts.idOf(account))).balance).toBe(10);
      expect(accounts.versionOf(account)).toBe(2);
    });

    it('publishes the saved events on the EventBus once they are stored', async () => {
      const id = await openAccount();
      const account = await accounts.load(id);
      account.deposit(10);
      account.withdraw(4);

      await accounts.save(account);

      expect(deliveredEvents()).toEqual([new MoneyDeposited(id, 10), new MoneyWithdrawn(id, 4)]);
      for (const delivery of RecordingEventHandler.deliveries) {
        expect(await delivery.storedVersion).toBe(3);
      }
    });

    it('publishes nothing and keeps the events uncommitted when another writer saved first', async () => {
      const id = await openAccount('Ada', [100]);
      const first = await accounts.load(id);
      const second = await accounts.load(id);
      first.withdraw(70);
      second.withdraw(60);
      await accounts.save(first);
      RecordingEventHandler.deliveries = [];

      const stale = accounts.save(second);

      await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(stale).rejects.toMatchObject({
        streamId: `BankAccount#${id}`,
        expectedVersion: 2,
        foundVersion: 3,
      });
      expect(deliveredEvents()).toEqual([]);
      expect(second.getUncommittedEvents()).toEqual([new MoneyWithdrawn(id, 60)]);
      expect(accounts.versionOf(second)).toBe(2);
      expect((await accounts.load(id)).balance).toBe(30);
    });

    it('keeps the balance consistent when 10 commands race on one account', async () => {
      const id = await openAccount('Ada', [100]);

      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, async () => {
          const account = await accounts.load(id);
          account.withdraw(30);
          await accounts.save(account);
        }),
      );

      const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
      const rejections = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
      );
      expect(succeeded).toBeGreaterThanOrEqual(1);
      for (const reason of rejections) expect(reason).toBeInstanceOf(ConcurrencyError);
      const account = await accounts.load(id);
      expect(account.balance).toBe(100 - 30 * succeeded);
      expect(account.balance).toBeGreaterThanOrEqual(0);
      expect(deliveredEvents()).toHaveLength(succeeded);
    });

    it('refuses an event whose class is not registered, writing and publishing nothing', async () => {
      const id = await openAccount();
      const account = await accounts.load(id);
      account.deposit(5);
      account.apply(new Untracked(id));

      const save = accounts.save(account);

      await expect(save).rejects.toBeInstanceOf(UnregisteredEventError);
      await expect(save).rejects.toMatchObject({
        aggregateType: 'BankAccount',
        eventType: 'Untracked',
      });
      expect(appends).not.toHaveBeenCalled();
      expect(await accounts.exists(id)).toBe(true);
      expect(accounts.versionOf(await accounts.load(id))).toBe(1);
      expect(deliveredEvents()).toEqual([]);
    });

    it('refuses a plain object as an event', async () => {
      const account = await accounts.load(newId());
      account.apply({ accountId: 'x' });

      await expect(accounts.save(account)).rejects.toBeInstanceOf(UnregisteredEventError);
      expect(appends).not.toHaveBeenCalled();
    });

    it('refuses an aggregate with autoCommit on, which would publish before saving', async () => {
      const autoCommitted = app.get<AggregateRepository<AutoCommitAccount>>(
        getAggregateRepositoryToken(AutoCommitAccount),
      );

      await expect(autoCommitted.load(newId())).rejects.toBeInstanceOf(AggregateConfigurationError);
    });

    it('refuses an aggregate that was not loaded through a repository', async () => {
      const account = new BankAccount(newId());
      account.open('Ada');

      await expect(accounts.save(account)).rejects.toBeInstanceOf(AggregateNotLoadedError);
      expect(appends).not.toHaveBeenCalled();
    });

    it('appends nothing when there are no uncommitted events', async () => {
      const id = await openAccount();

      const result = await accounts.save(await accounts.load(id));

      expect(result.version).toBe(1);
      expect(appends).not.toHaveBeenCalled();
    });

    it('publishes only the saved events when more are applied while the save is in flight', async () => {
      const id = await openAccount();
      const account = await accounts.load(id);
      account.deposit(1);

      const save = accounts.save(account);
      account.deposit(2);
      await save;

      expect(deliveredEvents()).toEqual([new MoneyDeposited(id, 1)]);
      expect(account.getUncommittedEvents()).toEqual([new MoneyDeposited(id, 2)]);
      await accounts.save(account);
      expect((await accounts.load(id)).balance).toBe(3);
    });

    it('refuses commit() while events are unsaved, publishing nothing; save() then stores and publishes them', async () => {
      const account = await accounts.load(newId());
      // The official NestJS sample's habit: merge the publisher's context, commit, then save.
      app.get(EventPublisher).mergeObjectContext(account);
      account.open('Ada');

      expect(() => account.commit()).toThrow(CommitBeforeSaveError);
      expect(() => account.commit()).toThrow(/save\(\)/);
      expect(deliveredEvents()).toEqual([]);
      expect(account.getUncommittedEvents()).toHaveLength(1);

      const result = await accounts.save(account);

      expect(result.version).toBe(1);
      expect(deliveredEvents()).toEqual([new AccountOpened(account.id, 'Ada')]);
    });

    it('lets commit() after a save do nothing', async () => {
      const account = await accounts.load(newId());
      account.open('Ada');
      await accounts.save(account);
      RecordingEventHandler.deliveries = [];

      account.commit();

      expect(deliveredEvents()).toEqual([]);
    });

    it('stores the metadata given to save with every event', async () => {
      const account = await accounts.load(newId());
      account.open('Ada');
      account.deposit(1);

      await accounts.save(account, { metadata: { userId: 'u-7' } });

      const history = await lastValueFrom(accounts.history(accounts.idOf(account)).pipe(toArray()));
      expect(history.map((envelope) => envelope.metadata)).toEqual([
        { userId: 'u-7' },
        { userId: 'u-7' },
      ]);
    });
  });

  describe('history', () => {
    it('streams the events in order as instances of their classes, with their position', async () => {
      const id = await openAccount('Ada', [100, 20]);

      const history = await lastValueFrom(accounts.history(id).pipe(toArray()));

      expect(history.map((envelope) => envelope.event)).toEqual([
        new AccountOpened(id, 'Ada'),
        new MoneyDeposited(id, 100),
        new MoneyDeposited(id, 20),
      ]);
      expect(history[0]!.event).toBeInstanceOf(AccountOpened);
      expect(history[1]!.event).toBeInstanceOf(MoneyDeposited);
      expect(history.map((envelope) => [envelope.version, envelope.type])).toEqual([
        [1, 'AccountOpened'],
        [2, 'MoneyDeposited'],
        [3, 'MoneyDeposited'],
      ]);
      expect(history.every((envelope) => envelope.aggregateId === id)).toBe(true);
    });
  });

  describe('in a command handler', () => {
    it('loads, changes and saves the aggregate injected with @InjectAggregateRepository', async () => {
      const id = await openAccount();

      await app.get(CommandBus).execute(new DepositMoney(id, 25));

      expect((await accounts.load(id)).balance).toBe(25);
      expect(deliveredEvents()).toEqual([new MoneyDeposited(id, 25)]);
    });
  });
});
