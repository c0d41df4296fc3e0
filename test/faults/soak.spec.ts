import { ConcurrencyError, EventStoreWriteError, type StoredEvent } from '../../lib/index.js';
import type { BankAccount } from '../fixtures/bank-account.js';
import type { Fault } from '../fault-proxy/fault-proxy.js';
import { seededRandom } from '../support/seeded-random.js';
import { DeliveryCounter, FaultHarness } from './fault-harness.js';

const SEED = 20261125;
const ACCOUNTS = 4;
const COMMANDS = 160;
const IN_FLIGHT = 8;
const FAULT_LIMIT = 80;
const FAULTS: readonly Fault[] = [
  { kind: 'drop-before' },
  { kind: 'drop-after' },
  { kind: 'status-500' },
  { kind: 'throttle' },
  { kind: 'delay', ms: 700 },
];

type Outcome = 'acknowledged' | 'failed for sure' | 'unknown';

let harness: FaultHarness;

beforeAll(async () => {
  harness = await FaultHarness.start({ requestTimeoutMs: 300 });
});
afterAll(() => harness.stop());

describe('a soak of concurrent commands under random faults', () => {
  it('loses no acknowledged event, stores none twice, and keeps every stream contiguous', async () => {
    const random = seededRandom(SEED);
    const ids: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) ids.push((await harness.accountAt(1)).id);
    /** The last word on each event id: what the caller was told. */
    const outcomes = new Map<string, Outcome>();
    const figures = { commands: 0, acknowledged: 0, conflicts: 0, unknown: 0, notWritten: 0 };
    const faultsBefore = harness.proxy.injected.length;
    harness.proxy.injectRandomly({
      operations: ['PutItem', 'TransactWriteItems', 'Query'],
      probability: 0.15,
      faults: FAULTS,
      limit: FAULT_LIMIT,
      random,
    });

    /** One command: a deposit, or a deposit and a withdrawal, on a fresh load; a conflict starts it over. */
    const runCommand = async (accountId: string, twoEvents: boolean) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        let account: BankAccount;
        try {
          account = await harness.accounts.load(accountId);
        } catch {
          continue;
        }
        account.deposit(10);
        if (twoEvents) account.withdraw(5);
        const result = await saveDespiteUnknownOutcomes(account);
        if (result === 'acknowledged') return;
      }
      throw new Error(`a command on ${accountId} never got through`);
    };

    /** Saves, and saves the same events again while the outcome is unknown: the same ids make it exactly once. */
    const saveDespiteUnknownOutcomes = async (account: BankAccount): Promise<Outcome> => {
      for (let retry = 0; ; retry++) {
        try {
          const { events } = await harness.accounts.save(account);
          figures.acknowledged += events.length;
          for (const { eventId } of events) outcomes.set(eventId, 'acknowledged');
          return 'acknowledged';
        } catch (error) {
          if (error instanceof ConcurrencyError) {
            figures.conflicts++;
            for (const id of error.eventIds) outcomes.set(id, 'failed for sure');
            return 'failed for sure';
          }
          if (!(error instanceof EventStoreWriteError)) throw error;
          if (error.outcome === 'not-written') {
            figures.notWritten++;
            for (const id of error.eventIds) outcomes.set(id, 'failed for sure');
            return 'failed for sure';
          }
          figures.unknown++;
          for (const id of error.eventIds) outcomes.set(id, 'unknown');
          if (retry === 3) return 'unknown';
        }
      }
    };

    const queue = Array.from({ length: COMMANDS }, (_, index) => ({
      accountId: ids[Math.floor(random() * ACCOUNTS)]!,
      twoEvents: index % 3 === 0,
    }));
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          figures.commands++;
          await runCommand(next.accountId, next.twoEvents);
        }
      }),
    );
    // Stopping the proxy also cancels requests it still holds back, so nothing lands after the count.
    await harness.proxy.stop();

    const stored: StoredEvent[] = [];
    for (const id of ids) {
      const stream = await harness.stored(id);
      expect(stream.map((event) => event.version)).toEqual(stream.map((_, index) => index + 1));
      stored.push(...stream);
    }
    const copies = new Map<string, number>();
    for (const { eventId } of stored) copies.set(eventId, (copies.get(eventId) ?? 0) + 1);
    const acknowledged = [...outcomes].filter(([, outcome]) => outcome === 'acknowledged');
    const lost = acknowledged.filter(([id]) => copies.get(id) !== 1).length;
    const duplicated = [...copies.values()].filter((count) => count > 1).length;
    const writtenAfterFailure = [...outcomes].filter(
      ([id, outcome]) => outcome === 'failed for sure' && copies.has(id),
    ).length;
    const faults = harness.proxy.injected.length - faultsBefore;
    console.log(
      `soak (seed ${SEED}): ${figures.commands} commands, ${faults} faults injected, ` +
        `${figures.acknowledged} events acknowledged, ${figures.conflicts} conflicts, ` +
        `${figures.unknown} unknown outcomes (saved again), ${figures.notWritten} not written, ` +
        `lost ${lost}, duplicated ${duplicated}, written after a sure failure ${writtenAfterFailure}`,
    );

    expect(faults).toBeGreaterThan(COMMANDS / 10);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(writtenAfterFailure).toBe(0);
    for (const [id] of acknowledged) expect(DeliveryCounter.deliveries.get(id)).toBe(1);
  }, 180_000);
});
