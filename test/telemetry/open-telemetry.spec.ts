import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { lastValueFrom, take, toArray } from 'rxjs';
import {
  type AggregateRepository,
  ConcurrencyError,
  SPAN_ATTRIBUTES as SPAN,
  UnitOfWork,
} from '../../lib/index.js';
import { BANK_ACCOUNT_EVENTS, BankAccount } from '../fixtures/bank-account.js';
import { createTestTable, testClient, testClientConfig } from '../support/dynamodb.js';
import { repositoryOf, startEventStoreApp } from '../support/event-store-app.js';
import { registerInMemoryTracing } from '../support/in-memory-tracing.js';

const tracing = registerInMemoryTracing();
let app: TestingModule;
let accounts: AggregateRepository<BankAccount>;

beforeAll(async () => {
  const client = testClient();
  const tableName = await createTestTable(client);
  client.destroy();
  app = await startEventStoreApp({
    tableName,
    moduleOptions: { clientConfig: testClientConfig() },
    features: [{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }],
  });
  accounts = repositoryOf(app, BankAccount);
});
afterAll(async () => {
  await app?.close();
  await tracing.shutdown();
});
beforeEach(() => tracing.reset());

async function openedAccount(deposits: number[] = []): Promise<BankAccount> {
  const account = await accounts.load(randomUUID());
  account.open('Ada');
  for (const amount of deposits) account.deposit(amount);
  await accounts.save(account);
  tracing.reset();
  return account;
}

describe('OpenTelemetry spans, with @opentelemetry/api installed and a tracer provider registered', () => {
  it('a save is a span with the stream, the versions, the event count, the requests sent and the capacity consumed', async () => {
    const account = await accounts.load(randomUUID());
    account.open('Ada');
    tracing.reset();

    await accounts.save(account);

    const save = tracing.spanNamed('save BankAccount');
    expect(save.kind).toBe(SpanKind.INTERNAL);
    expect(save.status.code).toBe(SpanStatusCode.UNSET);
    expect(save.attributes).toEqual({
      [SPAN.aggregateType]: 'BankAccount',
      [SPAN.aggregateId]: account.id,
      [SPAN.streamId]: `BankAccount#${account.id}`,
      [SPAN.expectedVersion]: 0,
      [SPAN.eventCount]: 1,
      [SPAN.version]: 1,
      [SPAN.snapshotWritten]: false,
      [SPAN.requests]: 1,
      [SPAN.consumedCapacity]: 1,
      [SPAN.outcome]: 'ok',
    });
  });

  it('a save of several events counts its one transaction; the capacity is left out where DynamoDB reports none', async () => {
    const account = await accounts.load(randomUUID());
    account.open('Ada');
    account.deposit(10);
    tracing.reset();

    await accounts.save(account);

    // moto answers TransactWriteItems with an empty ConsumedCapacity list; DynamoDB reports the units.
    const { attributes } = tracing.spanNamed('save BankAccount');
    expect(attributes).toMatchObject({
      [SPAN.eventCount]: 2,
      [SPAN.version]: 2,
      [SPAN.requests]: 1,
    });
    expect(attributes).not.toHaveProperty([SPAN.consumedCapacity]);
  });

  it('a load is a span with the version it reached and the events it read, in one request', async () => {
    const { id } = await openedAccount([10, 20]);

    await accounts.load(id);

    expect(tracing.spanNamed('load BankAccount').attributes).toMatchObject({
      [SPAN.streamId]: `BankAccount#${id}`,
      [SPAN.version]: 3,
      [SPAN.eventCount]: 3,
      [SPAN.requests]: 1,
      [SPAN.outcome]: 'ok',
    });
  });

  it('a history read is a span from subscription to its end, counting the events it gave; stopped early, it is cancelled', async () => {
    const { id } = await openedAccount([10, 20]);

    await lastValueFrom(accounts.history(id).pipe(toArray()));
    const whole = tracing.spanNamed('history BankAccount');
    tracing.reset();
    await lastValueFrom(accounts.history(id).pipe(take(1)));
    const stopped = tracing.spanNamed('history BankAccount');

    expect(whole.attributes).toMatchObject({
      [SPAN.eventCount]: 3,
      [SPAN.requests]: 1,
      [SPAN.outcome]: 'ok',
    });
    expect(stopped.attributes).toMatchObject({
      [SPAN.eventCount]: 1,
      [SPAN.outcome]: 'cancelled',
    });
  });

  it('a save that loses to another writer ends with outcome conflict and an error status', async () => {
    const { id } = await openedAccount();
    const first = await accounts.load(id);
    const second = await accounts.load(id);
    first.deposit(1);
    second.deposit(2);
    await accounts.save(first);
    tracing.reset();

    await expect(accounts.save(second)).rejects.toBeInstanceOf(ConcurrencyError);

    const save = tracing.spanNamed('save BankAccount');
    expect(save.attributes[SPAN.outcome]).toBe('conflict');
    expect(save.status.code).toBe(SpanStatusCode.ERROR);
    expect(save.events.map(({ name }) => name)).toEqual(['exception']);
  });

  it('a UnitOfWork write is one span naming every stream it wrote', async () => {
    const [from, to] = [await openedAccount([50]), await openedAccount()];
    from.withdraw(20);
    to.deposit(20);

    await app.get(UnitOfWork).saveAll([from, to]);

    expect(tracing.spanNamed('save unit-of-work').attributes).toMatchObject({
      [SPAN.streamIds]: [`BankAccount#${from.id}`, `BankAccount#${to.id}`],
      [SPAN.eventCount]: 2,
      [SPAN.requests]: 1,
      [SPAN.outcome]: 'ok',
    });
  });
});
