import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { SpanKind, trace } from '@opentelemetry/api';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type AggregateRepository,
  DynamoEventStoreModule,
  EVENT_STORE,
  type EventStore,
  getAggregateRepositoryToken,
  SPAN_ATTRIBUTES as SPAN,
} from '../../lib/index.js';
import {
  DynamoProjectionsModule,
  getViewRepositoryToken,
  Projection,
  ProjectionHandler,
  type ViewRepository,
  type ViewUpdate,
} from '../../lib/projections/index.js';
import {
  AccountOpened,
  BANK_ACCOUNT_EVENTS,
  BankAccount,
  MoneyDeposited,
} from '../fixtures/bank-account.js';
import { testClientConfig } from '../support/dynamodb.js';
import { eventually } from '../support/eventually.js';
import { registerInMemoryTracing } from '../support/in-memory-tracing.js';
import { createProjectionTestTables } from '../support/projection-tables.js';

interface Balance extends Record<string, unknown> {
  balance: number;
}

@Projection('traced-balances')
class Balances {
  @ProjectionHandler(AccountOpened)
  opened(_event: AccountOpened, view: ViewUpdate<Balance>): void {
    view.set({ balance: 0 });
  }

  @ProjectionHandler(MoneyDeposited)
  deposited(event: MoneyDeposited, view: ViewUpdate<Balance>): void {
    view.set({ balance: view.document!.balance + event.amount });
  }
}

@Module({
  imports: [
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
    DynamoProjectionsModule.forFeature([Balances]),
  ],
})
class AccountsModule {}

const tracing = registerInMemoryTracing();
let app: TestingModule;

beforeAll(async () => {
  const { eventsTable, viewsTable, leaseTable } = await createProjectionTestTables();
  app = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventStoreModule.forRoot({ tableName: eventsTable, clientConfig: testClientConfig() }),
      DynamoProjectionsModule.forRoot({ viewsTable, leaseTable, idleDelayMs: 50 }),
      AccountsModule,
    ],
  }).compile();
  await app.init();
});
afterAll(async () => {
  await app?.close();
  await tracing.shutdown();
});

describe('The trace of a save, continued where its events are projected', () => {
  it('stores the save span’s trace context in each event’s metadata; the runner’s batch is a consumer span in that trace', async () => {
    const accounts = app.get<AggregateRepository<BankAccount>>(
      getAggregateRepositoryToken(BankAccount),
    );
    const account = await accounts.load(randomUUID());
    account.open('Ada');
    account.deposit(10);

    await trace.getTracer('test').startActiveSpan('POST /accounts', async (request) => {
      await accounts.save(account);
      request.end();
    });

    const request = tracing.spanNamed('POST /accounts');
    const save = tracing.spanNamed('save BankAccount');
    const { traceId, spanId } = save.spanContext();
    expect(save.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    const stored = await lastValueFrom(
      app.get<EventStore>(EVENT_STORE).readStream(`BankAccount#${account.id}`).pipe(toArray()),
    );
    expect(stored.map(({ metadata }) => metadata.traceparent)).toEqual([
      `00-${traceId}-${spanId}-01`,
      `00-${traceId}-${spanId}-01`,
    ]);
    // The stream's records may come in one batch or two: together they apply both events.
    const batches = await eventually(
      () => Promise.resolve(tracing.spans().filter(({ name }) => name === 'apply projections')),
      (found) =>
        found.reduce((sum, { attributes }) => sum + Number(attributes[SPAN.applied]), 0) >= 2,
    );
    for (const batch of batches) {
      expect(batch.kind).toBe(SpanKind.CONSUMER);
      expect(batch.spanContext().traceId).toBe(traceId);
      expect(batch.parentSpanContext?.spanId).toBe(spanId);
      expect(batch.links.map(({ context }) => context.spanId)).toEqual([spanId]);
      expect(batch.attributes).toMatchObject({
        [SPAN.streamCount]: 1,
        [SPAN.projections]: ['traced-balances'],
        [SPAN.outcome]: 'ok',
      });
    }
    const balances = app.get<ViewRepository<Balance>>(getViewRepositoryToken(Balances));
    expect(await balances.get(account.id)).toEqual({ balance: 10 });
  });
});
