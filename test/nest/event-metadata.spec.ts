import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import {
  CommandBus,
  CqrsModule,
  CommandHandler,
  EventsHandler,
  type ICommandHandler,
  type IEventHandler,
} from '@nestjs/cqrs';
import type { TestingModule } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type AggregateRepository,
  DynamoEventStoreModule,
  type EventEnvelope,
  EventMetadataContext,
  getEventEnvelope,
  InjectAggregateRepository,
} from '../../lib/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
} from '../fixtures/bank-account.js';
import { repositoryOf, startInMemoryApp } from '../support/event-store-app.js';

class OpenAccount {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {}
}

class DepositMoney {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

@CommandHandler(OpenAccount)
class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  constructor(
    @InjectAggregateRepository(BankAccount)
    private readonly accounts: AggregateRepository<BankAccount>,
  ) {}

  async execute({ accountId, owner }: OpenAccount): Promise<void> {
    const account = await this.accounts.load(accountId);
    account.open(owner);
    await this.accounts.save(account);
  }
}

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

/** A process manager: every new account gets a welcome bonus, by a command of its own. */
@EventsHandler(AccountOpened)
class WelcomeBonus implements IEventHandler<AccountOpened> {
  static done: Promise<unknown>[] = [];
  static seen: (EventEnvelope | undefined)[] = [];

  constructor(private readonly commandBus: CommandBus) {}

  handle(event: AccountOpened): void {
    WelcomeBonus.seen.push(getEventEnvelope(event));
    WelcomeBonus.done.push(this.commandBus.execute(new DepositMoney(event.accountId, 10)));
  }
}

/** A feature module that imports CqrsModule itself, as the official NestJS CQRS sample does: a bus of its own. */
@Module({
  imports: [
    CqrsModule,
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
  ],
})
class FeatureWithItsOwnBus {}

let app: TestingModule;
let accounts: AggregateRepository<BankAccount>;

beforeAll(async () => {
  app = await startInMemoryApp({
    features: [{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }],
    providers: [OpenAccountHandler, DepositMoneyHandler, WelcomeBonus],
    imports: [FeatureWithItsOwnBus],
  });
  accounts = repositoryOf(app, BankAccount);
});
afterAll(() => app.close());
beforeEach(() => {
  WelcomeBonus.done = [];
  WelcomeBonus.seen = [];
});

const historyOf = (id: string) => lastValueFrom(accounts.history(id).pipe(toArray()));

async function openThroughTheBus(context?: Record<string, string>): Promise<string> {
  const id = randomUUID();
  const send = () => app.get(CommandBus).execute(new OpenAccount(id, 'Ada'));
  await (context ? EventMetadataContext.run(context, send) : send());
  await Promise.all(WelcomeBonus.done);
  return id;
}

describe('event metadata', () => {
  it('round-trips the metadata given to save, with the event id and time, on history', async () => {
    const account = await accounts.load(randomUUID());
    account.open('Ada');

    const { events } = await accounts.save(account, {
      metadata: { userId: 'u-7', reason: 'signup' },
    });

    const [envelope] = await historyOf(account.id);
    expect(envelope).toMatchObject({
      eventId: events[0]!.eventId,
      metadata: { userId: 'u-7', reason: 'signup' },
      recordedAt: events[0]!.recordedAt,
    });
  });

  it('gives event handlers the envelope of the event they receive', async () => {
    const id = await openThroughTheBus();

    const [seen] = WelcomeBonus.seen;
    const [stored] = await historyOf(id);
    expect(seen).toEqual({ ...stored, event: seen!.event });
    expect(seen!.event).toBeInstanceOf(AccountOpened);
  });

  it("stores the command's id as causation id, and starts a correlation id with it", async () => {
    const id = await openThroughTheBus();

    const [opened] = await historyOf(id);

    expect(opened!.metadata.causationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(opened!.metadata.correlationId).toBe(opened!.metadata.causationId);
  });

  it('carries the correlation id into the events of commands that follow from them', async () => {
    const id = await openThroughTheBus();

    const [opened, bonus] = await historyOf(id);

    expect(bonus!.event).toEqual(new MoneyDeposited(id, 10));
    expect(bonus!.metadata.correlationId).toBe(opened!.metadata.correlationId);
    expect(bonus!.metadata.causationId).not.toBe(opened!.metadata.causationId);
  });

  it('takes the correlation id and other keys of the scope the command was sent from', async () => {
    const id = await openThroughTheBus({ correlationId: 'request-42', userId: 'u-1' });

    const history = await historyOf(id);

    expect(history.map((envelope) => envelope.metadata.correlationId)).toEqual([
      'request-42',
      'request-42',
    ]);
    expect(history.map((envelope) => envelope.metadata.userId)).toEqual(['u-1', 'u-1']);
  });

  it("lets save's metadata override the context's", async () => {
    const account = await accounts.load(randomUUID());
    account.open('Ada');

    await EventMetadataContext.run({ correlationId: 'from-context', userId: 'u-1' }, () =>
      accounts.save(account, { metadata: { correlationId: 'from-save' } }),
    );

    const [envelope] = await historyOf(account.id);
    expect(envelope!.metadata).toEqual({ correlationId: 'from-save', userId: 'u-1' });
  });

  it('stores no correlation outside any command or scope', async () => {
    const account = await accounts.load(randomUUID());
    account.open('Ada');

    await accounts.save(account);

    const [envelope] = await historyOf(account.id);
    expect(envelope!.metadata).toEqual({});
  });

  it('scopes commands sent on every CommandBus, the one of a feature module that imports CqrsModule too', async () => {
    const buses = [...app.get(ModulesContainer).values()]
      .filter((module) => module.metatype === CqrsModule)
      .map((module) => module.getProviderByKey<CommandBus>(CommandBus).instance);
    const ids = buses.map(() => randomUUID());

    await Promise.all(buses.map((bus, index) => bus.execute(new OpenAccount(ids[index]!, 'Ada'))));

    expect(new Set(buses).size).toBe(2);
    for (const id of ids) {
      const [envelope] = await historyOf(id);
      expect(envelope!.metadata.causationId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('can be turned off for the CommandBus', async () => {
    const unscoped = await startInMemoryApp({
      features: [{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }],
      providers: [OpenAccountHandler],
      moduleOptions: { commandMetadata: false },
    });
    const id = randomUUID();

    await unscoped.get(CommandBus).execute(new OpenAccount(id, 'Ada'));

    const [envelope] = await lastValueFrom(
      repositoryOf(unscoped, BankAccount).history(id).pipe(toArray()),
    );
    expect(envelope!.metadata).toEqual({});
    await unscoped.close();
  });
});
