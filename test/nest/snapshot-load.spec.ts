import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TestingModule } from '@nestjs/testing';
import { jest } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import type { AggregateRepository } from '../../lib/index.js';
import { BANK_ACCOUNT_EVENTS, BankAccount } from '../fixtures/bank-account.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { repositoryOf, startEventStoreApp } from '../support/event-store-app.js';
import { RequestLog } from '../support/request-log.js';

const SNAPSHOT_EVERY = 64;
// 1,000 saves, one request each, on a moto that answers one request at a time for every test file running beside.
jest.setTimeout(120_000);

let client: DynamoDBClient;
let requests: RequestLog;
let app: TestingModule;
let accounts: AggregateRepository<BankAccount>;

beforeAll(async () => {
  client = testClient();
  requests = RequestLog.attachTo(client);
  app = await startEventStoreApp({
    client,
    tableName: await createTestTable(client),
    features: [
      { aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS, snapshot: { every: SNAPSHOT_EVERY } },
    ],
  });
  accounts = repositoryOf(app, BankAccount);
});
afterAll(async () => {
  await app.close();
  client.destroy();
});

/**
 * An account with `count` events, one per save, as commands usually produce them; a save that reaches a multiple
 * of SNAPSHOT_EVERY writes its snapshot too. (Saves of many events would make this test slow, not the store: moto
 * copies the table for every item of a transaction.)
 */
async function accountWithEvents(count: number): Promise<BankAccount> {
  const account = await accounts.load(randomUUID());
  account.open('Ada');
  await accounts.save(account);
  for (let version = 1; version < count; version++) {
    account.deposit((version % 10) + 1);
    await accounts.save(account);
  }
  return account;
}

describe('loading an aggregate with a snapshot policy', () => {
  it('costs one Query after 1,000 events, and gives the state of a full replay', async () => {
    const saved = await accountWithEvents(1000);
    requests.clear();

    const loaded = await accounts.load(saved.id);

    expect(requests.requests.map((request) => request.command)).toEqual(['QueryCommand']);
    expect(requests.requests[0]!.input.Limit).toBe(SNAPSHOT_EVERY);
    expect(accounts.versionOf(loaded)).toBe(1000);
    const replayed = new BankAccount(saved.id);
    const history = await lastValueFrom(accounts.history(saved.id).pipe(toArray()));
    replayed.loadFromHistory(history.map((envelope) => envelope.event));
    expect(history).toHaveLength(1000);
    expect(loaded.toSnapshot()).toEqual(replayed.toSnapshot());
    expect(loaded.toSnapshot()).toEqual(saved.toSnapshot());
  });
});
