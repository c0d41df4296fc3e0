import {
  ConcurrencyError,
  EventStoreWriteError,
  retryOnConflict,
  type StoredEvent,
  UnitOfWork,
} from '../../lib/index.js';
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

// Each soak stops its proxy to count: a harness of its own.
afterEach(() => harness.stop());

describe('a soak of concurrent commands under random faults', () => {
  it('loses no acknowledged event, stores none twice, and keeps every stream contiguous', async () => {
    // The SDK does not retry, so that every fault reaches the store, which must tell what each failed write did.
    harness = await FaultHarness.start({ requestTimeoutMs: 300, maxAttempts: 1 });
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
    expect(figures.unknown + figures.notWritten).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(writtenAfterFailure).toBe(0);
    for (const [id] of acknowledged) expect(DeliveryCounter.deliveries.get(id)).toBe(1);
  }, 180_000);

  it('applies each command once when every unanswered one is sent again with its idempotency key', async () => {
    // The SDK does not retry, so that its faults reach the caller, who sends the command again.
    harness = await FaultHarness.start({ requestTimeoutMs: 300, maxAttempts: 1 });
    const random = seededRandom(SEED + 1);
    const ids: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) ids.push((await harness.accountAt(1)).id);
    const unitOfWork = harness.app.get(UnitOfWork);
    const figures = { commands: 0, sends: 0, resent: 0, conflictsRetried: 0 };
    const faultsBefore = harness.proxy.injected.length;
    harness.proxy.injectRandomly({
      operations: ['PutItem', 'TransactWriteItems', 'Query'],
      probability: 0.15,
      faults: FAULTS,
      limit: FAULT_LIMIT,
      random,
    });

    /** A deposit of an amount of its own, so that its stored copies can be counted. */
    interface Deposit {
      readonly key: string;
      readonly accountId: string;
      readonly amount: number;
    }
    const execute = (command: Deposit) =>
      retryOnConflict(
        () =>
          unitOfWork.run({ idempotencyKey: command.key, request: command }, async (saves) => {
            const account = await harness.accounts.load(command.accountId);
            account.deposit(command.amount);
            return { version: saves.save(account) };
          }),
        { baseDelayMs: 5, onRetry: () => figures.conflictsRetried++ },
      );
    /** As an HTTP client does: whatever the failure, the same request again, with the same key. */
    const answers = new Map<string, { version: number }>();
    const sendUntilAnswered = async (command: Deposit) => {
      for (let send = 1; send <= 30; send++) {
        figures.sends++;
        try {
          answers.set(command.key, await execute(command));
          return;
        } catch {
          figures.resent++;
        }
      }
      throw new Error(`deposit ${command.amount} was never answered`);
    };

    const queue: Deposit[] = Array.from({ length: COMMANDS }, (_, index) => ({
      key: `deposit-${SEED}-${index}`,
      accountId: ids[Math.floor(random() * ACCOUNTS)]!,
      amount: 1000 + index,
    }));
    const commands = [...queue];
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          figures.commands++;
          await sendUntilAnswered(next);
        }
      }),
    );
    await harness.proxy.stop();

    const stored = new Map<string, StoredEvent[]>();
    for (const id of ids) stored.set(id, await harness.stored(id));
    const copiesOf = (command: Deposit) =>
      stored
        .get(command.accountId)!
        .filter((event) => (event.payload as { amount: number }).amount === command.amount);
    const lost = commands.filter((command) => copiesOf(command).length === 0).length;
    const duplicated = commands.filter((command) => copiesOf(command).length > 1).length;
    const faults = harness.proxy.injected.length - faultsBefore;
    console.log(
      `soak with idempotency keys (seed ${SEED + 1}): ${figures.commands} commands, ${faults} faults injected, ` +
        `${figures.sends} sends, ${figures.resent} resent after a failure, ` +
        `${figures.conflictsRetried} conflicts retried, lost ${lost}, duplicated ${duplicated}`,
    );

    expect(faults).toBeGreaterThan(COMMANDS / 10);
    expect(figures.resent).toBeGreaterThan(0);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    // Each answer, first or repeated, names the version its deposit is stored at.
    for (const command of commands)
      expect(copiesOf(command)[0]!.version).toBe(answers.get(command.key)!.version);
    for (const stream of stored.values())
      expect(stream.map((event) => event.version)).toEqual(stream.map((_, index) => index + 1));
  }, 180_000);
});
