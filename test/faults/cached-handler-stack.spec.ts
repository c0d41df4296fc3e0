import { DeliveryCounter, FaultHarness } from './fault-harness.js';

/**
 * With `cacheMiddleware: true` the SDK builds a command class's handler stack once, from its first command, and
 * reuses it for every later one of that class (until a request is sent with options). Each save under test follows
 * a save of the same command class, so that it runs on a stack another save built: outcome detection must still
 * watch this save's own attempts.
 */
let harness: FaultHarness;

beforeAll(async () => {
  harness = await FaultHarness.start({ clientConfig: { cacheMiddleware: true } });
});
afterAll(() => harness.stop());
afterEach(() => harness.proxy.clear());

// accountAt(1) ends with a one-event save (PutItem), accountAt(3) with a three-event one (TransactWriteItems).
const WRITES = [
  ['one event (PutItem)', 'PutItem', 1, 1],
  ['several events (TransactWriteItems)', 'TransactWriteItems', 3, 2],
] as const;

describe('a client that caches its handler stacks (cacheMiddleware)', () => {
  it.each(WRITES)(
    'judges a save of %s by its own attempts: an applied attempt, then refusals, is a success',
    async (_, operation, from, events) => {
      const account = await harness.accountAt(from);
      for (let i = 0; i < events; i++) account.deposit(1);
      harness.proxy.inject({ operation, fault: { kind: 'drop-after' } });
      harness.proxy.inject({ operation, fault: { kind: 'throttle' }, times: Infinity });

      const result = await harness.accounts.save(account);

      expect(result.version).toBe(from + events);
      const stored = await harness.stored(account);
      expect(stored.map((event) => event.version)).toEqual([1, 2, 3, 4, 5].slice(0, from + events));
      for (const { eventId } of stored) expect(DeliveryCounter.deliveries.get(eventId)).toBe(1);
    },
  );

  it.each(WRITES)(
    'reports a save of %s whose every attempt was lost as unknown, not as not-written',
    async (_, operation, from, events) => {
      const account = await harness.accountAt(from);
      for (let i = 0; i < events; i++) account.deposit(1);
      harness.proxy.inject({ operation, fault: { kind: 'drop-before' }, times: Infinity });

      await expect(harness.accounts.save(account)).rejects.toMatchObject({ outcome: 'unknown' });
      expect(await harness.stored(account)).toHaveLength(from);
    },
  );

  it("keeps no save's attempts for the next: one refused on every attempt after one that may have landed is not written", async () => {
    const landed = await harness.accountAt(3);
    landed.deposit(1);
    harness.proxy.inject({ operation: 'PutItem', fault: { kind: 'drop-after' } });
    await harness.accounts.save(landed);
    const refused = await harness.accountAt(3);
    refused.deposit(1);
    harness.proxy.inject({ operation: 'PutItem', fault: { kind: 'throttle' }, times: Infinity });

    await expect(harness.accounts.save(refused)).rejects.toMatchObject({ outcome: 'not-written' });
    expect(await harness.stored(refused)).toHaveLength(3);
  });
});
