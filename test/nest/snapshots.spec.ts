import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  AggregateConfigurationError,
  type AggregateRepository,
  ConcurrencyError,
  DynamoEventStore,
  MAX_BYTES_PER_ITEM,
  streamIdOf,
} from '../../lib/index.js';
import { BANK_ACCOUNT_EVENTS, BankAccount } from '../fixtures/bank-account.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { incompressible } from '../support/incompressible.js';
import { repositoryOf, startEventStoreApp } from '../support/event-store-app.js';
import { RequestLog } from '../support/request-log.js';

/** The same stream type with a snapshot schema version 2: the snapshots of BankAccount are unknown to it. */
class BankAccountV2 extends BankAccount {}
/** A state that no longer restores. */
class BrokenRestoreAccount extends BankAccount {
  override restoreSnapshot(): void {
    throw new Error('balance is missing');
  }
}
class HugeSnapshotAccount extends BankAccount {}
class FailingSnapshotAccount extends BankAccount {}
class EveryThirdSaveAccount extends BankAccount {}
class SnapshotEveryHundredAccount extends BankAccount {}

const EVERY = 10;
let client: DynamoDBClient;
let requests: RequestLog;
let app: TestingModule;
let accounts: AggregateRepository<BankAccount>;
let store: DynamoEventStore;
let warnings: string[];

beforeAll(async () => {
  client = testClient();
  requests = RequestLog.attachTo(client);
  const tableName = await createTestTable(client);
  const shared = { type: 'BankAccount', events: BANK_ACCOUNT_EVENTS };
  app = await startEventStoreApp({
    client,
    tableName,
    features: [
      { aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS, snapshot: { every: EVERY } },
      { aggregate: BankAccountV2, ...shared, snapshot: { every: EVERY, version: 2 } },
      { aggregate: BrokenRestoreAccount, ...shared, snapshot: { every: EVERY } },
      {
        aggregate: HugeSnapshotAccount,
        ...shared,
        snapshot: { every: EVERY, take: () => ({ blob: incompressible(2 * MAX_BYTES_PER_ITEM) }) },
      },
      {
        aggregate: FailingSnapshotAccount,
        ...shared,
        snapshot: {
          every: EVERY,
          take: () => {
            throw new Error('no state today');
          },
        },
      },
      { aggregate: SnapshotEveryHundredAccount, ...shared, snapshot: { every: 100 } },
      {
        aggregate: EveryThirdSaveAccount,
        ...shared,
        snapshot: { when: ({ toVersion }) => toVersion % 3 === 0, readLimit: 5 },
      },
    ],
  });
  accounts = repositoryOf(app, BankAccount);
  store = app.get(DynamoEventStore);
});
afterAll(async () => {
  await app.close();
  client.destroy();
});
beforeEach(() => {
  requests.clear();
  warnings = [];
  jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
    warnings.push(String(message));
  });
});
afterEach(() => jest.restoreAllMocks());

/** An open account whose stream is at `version` (1 AccountOpened, then deposits of 1), saved in one go. */
async function accountAt(version: number, repository = accounts): Promise<string> {
  const id = randomUUID();
  const account = await repository.load(id);
  account.open('Ada');
  for (let v = 2; v <= version; v++) account.deposit(1);
  await repository.save(account);
  requests.clear();
  warnings = [];
  return id;
}

const snapshotOf = async (id: string) =>
  (await store.readSnapshotAndNewerEvents(streamIdOf('BankAccount', id))).snapshot;

describe('snapshots', () => {
  describe('save', () => {
    it('writes the snapshot in the same TransactWriteItems as the events that cross the threshold', async () => {
      const id = await accountAt(8);
      const account = await accounts.load(id);
      account.deposit(1);
      account.deposit(1);
      account.deposit(1);
      requests.clear();

      await accounts.save(account);

      expect(requests.requests.map((request) => request.command)).toEqual([
        'TransactWriteItemsCommand',
      ]);
      expect((requests.requests[0]!.input.TransactItems as unknown[]).length).toBe(4);
      expect(await snapshotOf(id)).toMatchObject({
        version: 11,
        schemaVersion: 1,
        state: { owner: 'Ada', balance: 10 },
      });
    });

    it('writes a lone event with a conditional PutItem, without a snapshot, below the threshold', async () => {
      const id = await accountAt(3);
      const account = await accounts.load(id);
      account.deposit(1);
      requests.clear();

      await accounts.save(account);

      expect(requests.requests.map((request) => request.command)).toEqual(['PutItemCommand']);
      expect(await snapshotOf(id)).toBeUndefined();
    });

    it('writes a lone event that reaches the threshold with its snapshot, in one TransactWriteItems', async () => {
      const id = await accountAt(EVERY - 1);
      const account = await accounts.load(id);
      account.deposit(1);
      requests.clear();

      await accounts.save(account);

      expect(requests.requests.map((request) => request.command)).toEqual([
        'TransactWriteItemsCommand',
      ]);
      expect((await snapshotOf(id))?.version).toBe(EVERY);
    });

    it('never lets a snapshot land when its events were refused by a conflict', async () => {
      const id = await accountAt(8);
      const winner = await accounts.load(id);
      const loser = await accounts.load(id);
      winner.deposit(5);
      loser.deposit(1);
      loser.deposit(1);
      loser.deposit(1);

      await accounts.save(winner);
      await expect(accounts.save(loser)).rejects.toBeInstanceOf(ConcurrencyError);

      expect(await snapshotOf(id)).toBeUndefined();
      const stale = await accounts.load(id);
      const racing = await accounts.load(id);
      stale.deposit(100);
      racing.deposit(2);
      await accounts.save(racing);
      await expect(accounts.save(stale)).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await snapshotOf(id)).toMatchObject({ version: 10, state: { balance: 14 } });
    });

    it('saves the events without a snapshot that would exceed 400 KB, with a warning', async () => {
      const huge = repositoryOf(app, HugeSnapshotAccount);
      const id = await accountAt(EVERY - 1, huge);
      const account = await huge.load(id);
      account.deposit(1);

      await huge.save(account);

      expect(await store.readStreamVersion(streamIdOf('BankAccount', id))).toBe(EVERY);
      expect(await snapshotOf(id)).toBeUndefined();
      expect(warnings.join('\n')).toMatch(
        /BankAccount#.* at version 10: The event was saved without the snapshot: it is \d+ bytes, above DynamoDB's limit of 409600 per item/,
      );
    });

    it('says that an append of 100 events was saved, and cannot carry a snapshot', async () => {
      const hundred = repositoryOf(app, SnapshotEveryHundredAccount);
      const account = await hundred.load(randomUUID());
      account.open('Ada');
      for (let v = 2; v <= 100; v++) account.deposit(1);

      await hundred.save(account);

      expect(await store.readStreamVersion(streamIdOf('BankAccount', account.id))).toBe(100);
      expect(warnings).toEqual([
        expect.stringMatching(
          /at version 100: The 100 events were saved without the snapshot: with it the save would hold 101 items, above DynamoDB's limit of 100 per transaction \(an append of 100 events cannot carry a snapshot\)\.$/,
        ),
      ]);
      expect(warnings.join('\n')).not.toMatch(/Nothing was written/);
    });

    it('saves the events without a snapshot when taking it throws, with a warning', async () => {
      const failing = repositoryOf(app, FailingSnapshotAccount);
      const id = await accountAt(EVERY - 1, failing);
      const account = await failing.load(id);
      account.deposit(1);

      await failing.save(account);

      expect(await store.readStreamVersion(streamIdOf('BankAccount', id))).toBe(EVERY);
      expect(warnings.join('\n')).toContain('taking it threw (no state today)');
    });

    it('follows a custom policy', async () => {
      const custom = repositoryOf(app, EveryThirdSaveAccount);
      const id = await accountAt(2, custom);
      const account = await custom.load(id);
      account.deposit(1);

      await custom.save(account);

      expect((await snapshotOf(id))?.version).toBe(3);
    });
  });

  describe('load', () => {
    it('reads the whole history of a stream that has no snapshot yet', async () => {
      const id = await accountAt(EVERY - 1);

      const account = await accounts.load(id);

      expect(accounts.versionOf(account)).toBe(EVERY - 1);
      expect(account.balance).toBe(EVERY - 2);
      expect(requests.count('QueryCommand')).toBe(1);
    });

    it('goes on reading past its first page when the snapshot lies deeper than the policy expects', async () => {
      const custom = repositoryOf(app, EveryThirdSaveAccount);
      const id = await accountAt(3, custom);
      const account = await custom.load(id);
      for (let i = 0; i < 7; i++) account.deposit(1);
      await custom.save(account);
      requests.clear();

      const loaded = await custom.load(id);

      expect(custom.versionOf(loaded)).toBe(10);
      expect(loaded.balance).toBe(9);
      expect(requests.count('QueryCommand')).toBe(2);
    });

    it('ignores a snapshot of another schema version, replays the history, and warns', async () => {
      const id = await accountAt(EVERY + 2);
      const v2 = repositoryOf(app, BankAccountV2);

      const account = await v2.load(id);

      expect(v2.versionOf(account)).toBe(EVERY + 2);
      expect(account.balance).toBe(EVERY + 1);
      expect(warnings.join('\n')).toContain(
        `Ignoring the snapshot of BankAccount#${id} and replaying its whole history: its schema version 1 is not the current 2`,
      );
    });

    it('writes a fresh snapshot of the current schema at the next threshold', async () => {
      const id = await accountAt(EVERY + 2);
      const v2 = repositoryOf(app, BankAccountV2);
      const account = await v2.load(id);
      for (let i = 0; i < EVERY; i++) account.deposit(1);
      await v2.save(account);
      requests.clear();
      warnings = [];

      const reloaded = await v2.load(id);

      expect(requests.count('QueryCommand')).toBe(1);
      expect(warnings).toEqual([]);
      expect(reloaded.balance).toBe(2 * EVERY + 1);
      expect(await snapshotOf(id)).toMatchObject({ version: 2 * EVERY + 2, schemaVersion: 2 });
    });

    it('ignores a snapshot whose restore throws, replays the history, and warns', async () => {
      const id = await accountAt(EVERY + 1);
      const broken = repositoryOf(app, BrokenRestoreAccount);

      const account = await broken.load(id);

      expect(account.balance).toBe(EVERY);
      expect(warnings.join('\n')).toContain('restoring it threw: balance is missing');
    });

    it('ignores a snapshot whose stored state is not JSON, replays the history, and warns', async () => {
      const id = await accountAt(EVERY - 1);
      await DynamoDBDocumentClient.from(client).send(
        new PutCommand({
          TableName: store.tableName,
          Item: {
            streamId: streamIdOf('BankAccount', id),
            version: Number.MAX_SAFE_INTEGER,
            snapshotVersion: 5,
            schemaVersion: 1,
            state: '{"owner": "Ada", "bal',
            recordedAt: new Date().toISOString(),
          },
        }),
      );

      const account = await accounts.load(id);

      expect(account.balance).toBe(EVERY - 2);
      expect(accounts.versionOf(account)).toBe(EVERY - 1);
      expect(warnings.join('\n')).toMatch(/Ignoring the snapshot .*: it cannot be read/);
    });
  });

  it('leaves history whole: every event, and never the snapshot', async () => {
    const id = await accountAt(EVERY + 3);

    const history = await lastValueFrom(accounts.history(id).pipe(toArray()));

    expect(history.map((envelope) => envelope.version)).toEqual(
      Array.from({ length: EVERY + 3 }, (_, index) => index + 1),
    );
    expect(await store.readStreamVersion(streamIdOf('BankAccount', id))).toBe(EVERY + 3);
  });

  describe('configuration', () => {
    const policyOf = async (snapshot: object, aggregate = BankAccount) =>
      startEventStoreApp({
        client,
        tableName: store.tableName,
        features: [{ aggregate, events: BANK_ACCOUNT_EVENTS, snapshot }],
      });

    it.each([
      ['neither every nor when', {}, /exactly one of `every` and `when`/],
      ['both every and when', { every: 5, when: () => true }, /exactly one of `every` and `when`/],
      ['every: 0', { every: 0 }, /every: 0; it must be a positive integer/],
      ['version 0', { every: 5, version: 0 }, /version 0; versions start at 1/],
    ])('refuses %s at start-up', async (_, snapshot, message) => {
      await expect(policyOf(snapshot)).rejects.toThrow(message);
    });

    it('refuses an aggregate that can neither take nor restore a snapshot', async () => {
      class Plain extends BankAccount {}
      Object.defineProperty(Plain.prototype, 'toSnapshot', { value: undefined });

      await expect(policyOf({ every: 5 }, Plain)).rejects.toBeInstanceOf(
        AggregateConfigurationError,
      );
    });
  });
});
