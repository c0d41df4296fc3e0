import { randomUUID } from 'node:crypto';
import { AggregateRoot } from '@nestjs/cqrs';
import type { TestingModule } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  AggregateConfigurationError,
  type AggregateRepository,
  streamIdOf,
  UnsupportedEventVersionError,
} from '../../lib/index.js';
import { InMemoryEventStore } from '../../lib/testing/index.js';
import { repositoryOf, startInMemoryApp } from '../support/event-store-app.js';

/**
 * The account's history: `FundsAdded { amount }` (v1) was renamed to MoneyDeposited and gained a currency (v2),
 * then amounts moved to cents (v3).
 */
class MoneyDeposited {
  constructor(
    readonly amountInCents: number,
    readonly currency: string,
  ) {}
}

class Wallet extends AggregateRoot {
  deposits: MoneyDeposited[] = [];

  constructor(readonly id: string) {
    super();
  }

  deposit(amountInCents: number, currency: string): void {
    this.apply(new MoneyDeposited(amountInCents, currency));
  }

  onMoneyDeposited(event: MoneyDeposited): void {
    this.deposits.push(event);
  }
}

const moneyDeposited = {
  event: MoneyDeposited,
  version: 3,
  aliases: ['FundsAdded'],
  upcasters: {
    1: ({ amount }: { amount: number }) => ({ amount, currency: 'EUR' }),
    2: ({ amount, currency }: { amount: number; currency: string }) => ({
      amountInCents: Math.round(amount * 100),
      currency,
    }),
  },
};

let app: TestingModule;
let wallets: AggregateRepository<Wallet>;
let store: InMemoryEventStore;

beforeAll(async () => {
  store = new InMemoryEventStore();
  app = await startInMemoryApp({
    features: [{ aggregate: Wallet, events: [moneyDeposited] }],
    moduleOptions: { store },
  });
  wallets = repositoryOf(app, Wallet);
});
afterAll(() => app.close());

/** A wallet whose stream holds what three releases of the code wrote. */
async function walletWrittenByThreeReleases(): Promise<string> {
  const id = randomUUID();
  const stream = streamIdOf('Wallet', id);
  await store.appendToStream(stream, 0, [
    { type: 'FundsAdded', schemaVersion: 1, payload: { amount: 1.5 } },
    { type: 'MoneyDeposited', schemaVersion: 2, payload: { amount: 2, currency: 'USD' } },
  ]);
  const wallet = await wallets.load(id);
  wallet.deposit(300, 'GBP');
  await wallets.save(wallet);
  return id;
}

describe('upcasting', () => {
  it('loads events stored with older schemas, and under an old name, as the current class', async () => {
    const id = await walletWrittenByThreeReleases();

    const wallet = await wallets.load(id);

    expect(wallet.deposits).toEqual([
      new MoneyDeposited(150, 'EUR'),
      new MoneyDeposited(200, 'USD'),
      new MoneyDeposited(300, 'GBP'),
    ]);
    expect(wallet.deposits.every((event) => event instanceof MoneyDeposited)).toBe(true);
  });

  it('upcasts on history too', async () => {
    const id = await walletWrittenByThreeReleases();

    const history = await lastValueFrom(wallets.history(id).pipe(toArray()));

    expect(history.map((envelope) => envelope.event)).toEqual([
      new MoneyDeposited(150, 'EUR'),
      new MoneyDeposited(200, 'USD'),
      new MoneyDeposited(300, 'GBP'),
    ]);
    expect(history.map((envelope) => envelope.type)).toEqual([
      'MoneyDeposited',
      'MoneyDeposited',
      'MoneyDeposited',
    ]);
  });

  it('stores new events with the current schema version', async () => {
    const id = await walletWrittenByThreeReleases();

    const stored = await lastValueFrom(store.readStream(streamIdOf('Wallet', id)).pipe(toArray()));

    expect(stored.map((event) => [event.type, event.schemaVersion])).toEqual([
      ['FundsAdded', 1],
      ['MoneyDeposited', 2],
      ['MoneyDeposited', 3],
    ]);
  });

  it('refuses an event newer than the code knows, naming type, version and stream', async () => {
    const id = randomUUID();
    await store.appendToStream(streamIdOf('Wallet', id), 0, [
      { type: 'MoneyDeposited', schemaVersion: 4, payload: { cents: 1 } },
    ]);

    const load = wallets.load(id);

    await expect(load).rejects.toBeInstanceOf(UnsupportedEventVersionError);
    await expect(load).rejects.toMatchObject({
      eventType: 'MoneyDeposited',
      schemaVersion: 4,
      streamId: `Wallet#${id}`,
    });
    await expect(load).rejects.toThrow(/knows versions up to 3/);
  });

  it('refuses an event with no upcaster path to the current version', async () => {
    const id = await walletWrittenByThreeReleases();
    // A release that knows versions 2 and 3 only, without the upcaster from version 1.
    const withoutV1 = await startInMemoryApp({
      features: [
        {
          aggregate: Wallet,
          events: [{ ...moneyDeposited, upcasters: { 2: moneyDeposited.upcasters[2] } }],
        },
      ],
      moduleOptions: { store },
    });

    const load = repositoryOf(withoutV1, Wallet).load(id);

    await expect(load).rejects.toBeInstanceOf(UnsupportedEventVersionError);
    await expect(load).rejects.toMatchObject({ eventType: 'FundsAdded', schemaVersion: 1 });
    await expect(load).rejects.toThrow(/no upcaster is registered from version 1 to 2/);
    await withoutV1.close();
  });

  it.each([
    [
      'an upcaster from the current version',
      { event: MoneyDeposited, version: 2, upcasters: { 2: () => ({}) } },
    ],
    [
      'an upcaster from version 0',
      { event: MoneyDeposited, version: 2, upcasters: { 0: () => ({}) } },
    ],
    ['a version of 0', { event: MoneyDeposited, version: 0 }],
  ])('refuses %s at start-up', async (_, registration) => {
    const start = startInMemoryApp({ features: [{ aggregate: Wallet, events: [registration] }] });

    await expect(start).rejects.toBeInstanceOf(AggregateConfigurationError);
  });

  it('refuses one event class registered by two aggregates with different upcasters', async () => {
    class Purse extends Wallet {}
    const otherUpcaster = {
      ...moneyDeposited,
      upcasters: { ...moneyDeposited.upcasters, 1: () => ({}) },
    };

    const start = startInMemoryApp({
      features: [
        { aggregate: Wallet, events: [moneyDeposited] },
        { aggregate: Purse, events: [otherUpcaster] },
      ],
    });

    await expect(start).rejects.toThrow(
      /"MoneyDeposited" is registered by "Wallet" and by "Purse" with two upcasters from version 1/,
    );
  });
});
