import type { BankAccount } from '../fixtures/bank-account.js';
import type { Fault } from '../fault-proxy/fault-proxy.js';
import {
  ConcurrencyError,
  EventStoreWriteError,
  type StoredEvent,
  UnitOfWork,
} from '../../lib/index.js';
import { DeliveryCounter, FaultHarness, SNAPSHOT_EVERY } from './fault-harness.js';

let harness: FaultHarness;

beforeAll(async () => {
  harness = await FaultHarness.start();
});
afterAll(() => harness.stop());
afterEach(() => harness.proxy.clear());

/** The faults applied since the test began: the proxy keeps a record of all of them. */
let faultsBefore = 0;
beforeEach(() => {
  faultsBefore = harness.proxy.injected.length;
});
const injected = () => harness.proxy.injected.slice(faultsBefore);

/** The three ways a save is written: one event, several, and events with their snapshot. */
const WRITE_PATHS = [
  {
    path: 'one event (PutItem)',
    operation: 'PutItem',
    from: 3,
    change: (account: BankAccount) => account.deposit(5),
  },
  {
    path: 'several events (TransactWriteItems)',
    operation: 'TransactWriteItems',
    from: 3,
    change: (account: BankAccount) => {
      account.deposit(5);
      account.withdraw(2);
    },
  },
  {
    path: 'events with their snapshot (TransactWriteItems)',
    operation: 'TransactWriteItems',
    from: SNAPSHOT_EVERY - 1,
    change: (account: BankAccount) => account.deposit(5),
  },
] as const;

/** What must hold after any save, whatever the faults: each event stored once, contiguous, delivered once. */
function expectExactlyOnce(stored: readonly StoredEvent[]): void {
  expect(stored.map((event) => event.version)).toEqual(stored.map((_, index) => index + 1));
  const ids = stored.map((event) => event.eventId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) expect(DeliveryCounter.deliveries.get(id)).toBe(1);
}

const TRANSIENT_FAULTS: readonly (readonly [string, Fault])[] = [
  ['the request is lost before it reaches DynamoDB', { kind: 'drop-before' }],
  ['the answer is lost after DynamoDB applied the write', { kind: 'drop-after' }],
  ['DynamoDB answers 500', { kind: 'status-500' }],
  ['DynamoDB throttles', { kind: 'throttle' }],
  ['the answer comes after the request timeout', { kind: 'delay', ms: 900 }],
];

describe.each(WRITE_PATHS)('a save of $path', ({ operation, from, change }) => {
  it.each(TRANSIENT_FAULTS)('succeeds exactly once when %s', async (_, fault) => {
    const account = await harness.accountAt(from);
    change(account);
    const saving = account.getUncommittedEvents().length;
    harness.proxy.inject({ operation, fault });

    const result = await harness.accounts.save(account);

    expect(injected().map((record) => record.fault)).toEqual([fault.kind]);
    expect(result.version).toBe(from + saving);
    expect(account.getUncommittedEvents()).toEqual([]);
    const stored = await harness.stored(account);
    expect(stored).toHaveLength(from + saving);
    expectExactlyOnce(stored);
  });

  it('still succeeds when the answer of every attempt is lost: it reads its own write back', async () => {
    const account = await harness.accountAt(from);
    change(account);
    harness.proxy.inject({ operation, fault: { kind: 'drop-after' }, times: Infinity });

    const result = await harness.accounts.save(account);

    expect(injected().length).toBeGreaterThanOrEqual(3);
    const stored = await harness.stored(account);
    expect(stored).toHaveLength(result.version);
    expectExactlyOnce(stored);
  });

  it('fails with outcome unknown when no attempt gets through, and the same save then lands exactly once', async () => {
    const account = await harness.accountAt(from);
    change(account);
    const pending = [...account.getUncommittedEvents()];
    harness.proxy.inject({ operation, fault: { kind: 'drop-before' }, times: Infinity });

    const failed = harness.accounts.save(account);

    await expect(failed).rejects.toBeInstanceOf(EventStoreWriteError);
    await expect(failed).rejects.toMatchObject({ outcome: 'unknown' });
    expect(account.getUncommittedEvents()).toEqual(pending);
    expect(await harness.stored(account)).toHaveLength(from);

    harness.proxy.clear();
    await harness.accounts.save(account);

    const stored = await harness.stored(account);
    expect(stored).toHaveLength(from + pending.length);
    expectExactlyOnce(stored);
  });

  it('fails with outcome not-written when every attempt is throttled, writing and publishing nothing', async () => {
    const account = await harness.accountAt(from);
    change(account);
    const pending = [...account.getUncommittedEvents()];
    harness.proxy.inject({ operation, fault: { kind: 'throttle' }, times: Infinity });

    const failed = harness.accounts.save(account);

    await expect(failed).rejects.toMatchObject({
      name: 'EventStoreWriteError',
      outcome: 'not-written',
    });
    expect(injected()).toHaveLength(3); // maxAttempts: 3, the first included
    expect(account.getUncommittedEvents()).toEqual(pending);
    const stored = await harness.stored(account);
    expect(stored).toHaveLength(from);
    expectExactlyOnce(stored);
  });
});

describe.each(WRITE_PATHS)(
  'a save of $path retried after an unknown outcome',
  ({ operation, from, change }) => {
    it('is never reported not-written: refused on every attempt, it is still unknown', async () => {
      const account = await harness.accountAt(from);
      change(account);
      harness.proxy.inject({ operation, fault: { kind: 'drop-before' }, times: Infinity });
      await expect(harness.accounts.save(account)).rejects.toMatchObject({ outcome: 'unknown' });
      harness.proxy.clear();
      harness.proxy.inject({ operation, fault: { kind: 'throttle' }, times: Infinity });

      const retried = harness.accounts.save(account);

      await expect(retried).rejects.toMatchObject({
        name: 'EventStoreWriteError',
        outcome: 'unknown',
      });
      harness.proxy.clear();
      await harness.accounts.save(account);
      expectExactlyOnce(await harness.stored(account));
    });

    it('finds the events an earlier attempt stored, though every attempt of the retry is refused', async () => {
      const account = await harness.accountAt(from);
      change(account);
      const pending = account.getUncommittedEvents().length;
      // Every answer is lost, the read-back too: the events are stored, and the save cannot tell.
      harness.proxy.inject({ operation, fault: { kind: 'drop-after' }, times: Infinity });
      harness.proxy.inject({ operation: 'Query', fault: { kind: 'drop-before' }, times: Infinity });
      await expect(harness.accounts.save(account)).rejects.toMatchObject({ outcome: 'unknown' });
      expect(await harness.stored(account)).toHaveLength(from + pending);
      harness.proxy.clear();
      harness.proxy.inject({ operation, fault: { kind: 'throttle' }, times: Infinity });

      const result = await harness.accounts.save(account);

      expect(result.version).toBe(from + pending);
      expect(account.getUncommittedEvents()).toEqual([]);
      expectExactlyOnce(await harness.stored(account));
    });
  },
);

describe('a transaction cancelled by a conflicting transaction', () => {
  it('is tried again, and succeeds once the other transaction is gone', async () => {
    const account = await harness.accountAt(3);
    account.deposit(1);
    account.deposit(2);
    harness.proxy.inject({
      operation: 'TransactWriteItems',
      fault: { kind: 'transaction-conflict' },
      times: 2,
    });

    await harness.accounts.save(account);

    expect(injected()).toHaveLength(2);
    expectExactlyOnce(await harness.stored(account));
  });

  it('becomes a ConcurrencyError after a bounded number of tries, writing nothing', async () => {
    const account = await harness.accountAt(3);
    account.deposit(1);
    account.deposit(2);
    harness.proxy.inject({
      operation: 'TransactWriteItems',
      fault: { kind: 'transaction-conflict' },
      times: Infinity,
    });

    await expect(harness.accounts.save(account)).rejects.toBeInstanceOf(ConcurrencyError);

    expect(injected()).toHaveLength(1 + 3);
    expect(await harness.stored(account)).toHaveLength(3);
  });
});

describe('a write to several streams whose answer is lost', () => {
  it('reads one of its items back and succeeds: both streams hold their events once, published once', async () => {
    const [from, to] = [await harness.accountAt(2), await harness.accountAt(3)];
    from.withdraw(1);
    to.deposit(1);
    harness.proxy.inject({
      operation: 'TransactWriteItems',
      fault: { kind: 'drop-after' },
      times: Infinity,
    });

    const results = await harness.app.get(UnitOfWork).saveAll([from, to]);

    expect(results.map(({ version }) => version)).toEqual([3, 4]);
    expect(injected().length).toBeGreaterThan(0);
    expectExactlyOnce(await harness.stored(from));
    expectExactlyOnce(await harness.stored(to));
    expect((await harness.stored(to)).map(({ type }) => type).at(-1)).toBe('MoneyDeposited');
  });
});

describe('a command sent again with its idempotency key after its answer was lost', () => {
  it('gets the first answer, and its deposit is stored once', async () => {
    const account = await harness.accountAt(2);
    const command = { key: `deposit-${account.id}`, accountId: account.id, amount: 7 };
    const send = () =>
      harness.app
        .get(UnitOfWork)
        .run({ idempotencyKey: command.key, request: command }, async (saves) => {
          const loaded = await harness.accounts.load(command.accountId);
          loaded.deposit(command.amount);
          loaded.withdraw(1);
          return { version: saves.save(loaded) };
        });
    // The write lands and every answer to it is lost; so is the read that would have found it (the key's read and
    // the load go through first).
    harness.proxy.inject({
      operation: 'TransactWriteItems',
      fault: { kind: 'drop-after' },
      times: Infinity,
    });
    harness.proxy.inject({
      operation: 'Query',
      fault: { kind: 'drop-before' },
      after: 2,
      times: Infinity,
    });

    const lost = await send().catch((error: unknown) => error);
    harness.proxy.clear();
    const writesBefore = injected().length;
    const again = await send();

    expect(lost).toMatchObject({ name: 'EventStoreWriteError', outcome: 'unknown' });
    expect(again).toEqual({ version: 4 });
    expect(injected()).toHaveLength(writesBefore);
    const stored = await harness.stored(account);
    expect(stored.map(({ type }) => type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyDeposited',
      'MoneyWithdrawn',
    ]);
    expect(new Set(stored.map(({ eventId }) => eventId)).size).toBe(4);
    // Published by neither send: the first never heard it was stored, and a repeat answers from the key. Reactions
    // that must see every event read the table's stream (projections, redeliverToEventBus).
    for (const { eventId } of stored.slice(2))
      expect(DeliveryCounter.deliveries.get(eventId)).toBeUndefined();
  });
});
