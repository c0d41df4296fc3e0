import { randomUUID } from 'node:crypto';
import { type AggregateRepository, DynamoEventStore } from 'nestjs-dynamo-es';
import type { Account } from '../sample/accounts/account.aggregate.js';
import { startAccountStore } from './support/account-store.js';
import {
  CapacityMeter,
  type MeteredRequest,
  minimumReadUnits,
  sum,
  totals,
} from './support/capacity-meter.js';
import type { BenchEndpoint } from './support/local-endpoint.js';

export interface CapacityRow {
  readonly operation: string;
  readonly requests: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** For loads: the read units of a Query returning only what the load needs (snapshot + newer events). */
  readonly minimumReadUnits?: number;
  /** For loads: bytes read beyond what the load needs. */
  readonly overReadBytes?: number;
}

const SNAPSHOT_EVERY = 100;
const SNAPSHOT_SORT_KEY = Number.MAX_SAFE_INTEGER;

/**
 * Requests and capacity per operation, counted from the requests the SDK sends, capacity computed from the items'
 * sizes with DynamoDB's rules. Streams are grown one event per save, as commands grow them.
 */
export async function measureRequestsAndCapacity(
  endpoint: BenchEndpoint,
  { quick }: { quick: boolean },
): Promise<CapacityRow[]> {
  const client = endpoint.newClient();
  const sizingClient = endpoint.newClient();
  const meter = CapacityMeter.attachTo(client, sizingClient);
  const store = await startAccountStore(client, await endpoint.newTable(), SNAPSHOT_EVERY);
  const long = quick ? 2 * SNAPSHOT_EVERY : 10 * SNAPSHOT_EVERY;
  const rows: CapacityRow[] = [];
  try {
    for (const [label, repository] of [
      ['no snapshots', store.accounts],
      [`snapshot every ${SNAPSHOT_EVERY}`, store.snapshotted],
    ] as const) {
      const account = await openAccount(repository);
      await grow(repository, account, 10);
      rows.push(
        loadRow(`load 10 events, ${label}`, await meter.measure(() => repository.load(account.id))),
      );
      await grow(repository, account, long);
      rows.push(
        loadRow(
          `load ${long} events, ${label}`,
          await meter.measure(() => repository.load(account.id)),
        ),
      );
    }
    const account = await openAccount(store.snapshotted);
    await grow(store.snapshotted, account, long);
    for (const tail of [SNAPSHOT_EVERY / 2, SNAPSHOT_EVERY - 1]) {
      await grow(store.snapshotted, account, long + tail);
      rows.push(
        loadRow(
          `load ${long + tail} events (${tail} after the snapshot), snapshot every ${SNAPSHOT_EVERY}`,
          await meter.measure(() => store.snapshotted.load(account.id)),
        ),
      );
    }

    const saver = await openAccount(store.snapshotted);
    saver.deposit(1);
    rows.push(saveRow('save 1 event', await meter.measure(() => store.snapshotted.save(saver))));
    for (let i = 0; i < 10; i++) saver.deposit(1);
    rows.push(saveRow('save 10 events', await meter.measure(() => store.snapshotted.save(saver))));
    await grow(store.snapshotted, saver, SNAPSHOT_EVERY - 1);
    saver.deposit(1);
    rows.push(
      saveRow(
        '(with its snapshot) save 1 event at a snapshot threshold',
        await meter.measure(() => store.snapshotted.save(saver)),
      ),
    );

    const transactionsOnly = new DynamoEventStore({
      client,
      tableName: store.store.tableName,
      transactionsOnly: true,
    });
    const lone = await openAccount(store.accounts);
    rows.push(
      saveRow(
        'save 1 event with transactionsOnly (a 1-item TransactWriteItems)',
        await meter.measure(() =>
          transactionsOnly.appendToStream(store.accounts.streamIdOf(lone.id), 1, [
            {
              type: 'MoneyDeposited',
              schemaVersion: 2,
              payload: { accountId: lone.id, amountCents: 1 },
            },
          ]),
        ),
      ),
    );

    const keyed = await openAccount(store.accounts);
    const depositOnce = (key: string) =>
      store.unitOfWork.run({ idempotencyKey: key, request: { deposit: 1 } }, (saves) => {
        keyed.deposit(1);
        return { version: saves.save(keyed) };
      });
    const key = randomUUID();
    rows.push(
      saveRow(
        'save 1 event with an idempotency key (2-item transaction)',
        await meter.measure(() => depositOnce(key)),
      ),
    );
    rows.push(
      saveRow(
        'repeat of that command, same key (a Query; nothing written)',
        await meter.measure(() => depositOnce(key)),
      ),
    );
    const [from, to] = [await openAccount(store.accounts), await openAccount(store.accounts)];
    from.deposit(1);
    to.deposit(1);
    rows.push(
      saveRow(
        '1 event on each of 2 accounts in one write (UnitOfWork.saveAll)',
        await meter.measure(() => store.unitOfWork.saveAll([from, to])),
      ),
    );
    return rows;
  } finally {
    await store.close();
    client.destroy();
    sizingClient.destroy();
  }
}

async function openAccount<T extends Account>(repository: AggregateRepository<T>): Promise<T> {
  const account = await repository.load(randomUUID());
  account.open('Ada Lovelace');
  await repository.save(account);
  return account;
}

async function grow<T extends Account>(
  repository: AggregateRepository<T>,
  account: T,
  version: number,
) {
  while (repository.versionOf(account) < version) {
    account.deposit((repository.versionOf(account) % 97) + 1);
    await repository.save(account);
  }
}

function loadRow(operation: string, requests: MeteredRequest[]): CapacityRow {
  const items = requests.flatMap((request) => request.itemsRead);
  const snapshot = items.find((item) => item.version === SNAPSHOT_SORT_KEY);
  const needed = snapshot
    ? snapshot.bytes +
      sum(
        items
          .filter(
            (item) =>
              item.version !== SNAPSHOT_SORT_KEY && item.version > snapshot.snapshotVersion!,
          )
          .map((item) => item.bytes),
      )
    : sum(items.map((item) => item.bytes));
  const { readUnits, writeUnits } = totals(requests);
  return {
    operation,
    requests: requests.length,
    readUnits,
    writeUnits,
    minimumReadUnits: snapshot ? minimumReadUnits(needed) : readUnits,
    overReadBytes: sum(items.map((item) => item.bytes)) - needed,
  };
}

function saveRow(operation: string, requests: MeteredRequest[]): CapacityRow {
  const { readUnits, writeUnits } = totals(requests);
  return { operation, requests: requests.length, readUnits, writeUnits };
}
