import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import { loadTracing, NO_TRACING, SPAN_ATTRIBUTES as SPAN } from '../../lib/index.js';
import { registerInMemoryTracing } from '../support/in-memory-tracing.js';
import { nodeWithout } from '../support/without-packages.js';

const notInstalled = () =>
  Promise.reject(
    Object.assign(new Error("Cannot find package '@opentelemetry/api' imported from …"), {
      code: 'ERR_MODULE_NOT_FOUND',
    }),
  );

describe('loadTracing', () => {
  it('is NO_TRACING where @opentelemetry/api is not installed', async () => {
    expect(await loadTracing(notInstalled)).toBe(NO_TRACING);
  });

  it('passes on any other failure to load it', async () => {
    const broken = new Error('SyntaxError in @opentelemetry/api');

    await expect(loadTracing(() => Promise.reject(broken))).rejects.toBe(broken);
  });

  it('lets an application without @opentelemetry/api start and save, its events carrying no trace context', async () => {
    const entry = fileURLToPath(new URL('../../lib/index.ts', import.meta.url));
    const testing = fileURLToPath(new URL('../../lib/testing/index.ts', import.meta.url));

    const { stdout } = await nodeWithout(
      ['@opentelemetry/api'],
      [
        '--input-type=module',
        '-e',
        `const { DynamoEventStoreModule, getAggregateRepositoryToken } = await import(${JSON.stringify(entry)});
         const { InMemoryEventStoreModule } = await import(${JSON.stringify(testing)});
         const { AggregateRoot, CqrsModule } = await import('@nestjs/cqrs');
         const { Test } = await import('@nestjs/testing');
         class Opened { constructor(id) { this.id = id; } }
         class Account extends AggregateRoot { constructor(id) { super(); this.id = id; } }
         const app = await Test.createTestingModule({ imports: [CqrsModule.forRoot(), InMemoryEventStoreModule.forRoot(),
           DynamoEventStoreModule.forFeature([{ aggregate: Account, events: [Opened] }])] }).compile();
         await app.init();
         const accounts = app.get(getAggregateRepositoryToken(Account));
         const account = await accounts.load('a1');
         account.apply(new Opened('a1'));
         const { events } = await accounts.save(account);
         console.log(JSON.stringify(events[0].metadata));
         await app.close();`,
      ],
    );

    expect(stdout).toBe('{}\n');
  });
});

describe('OpenTelemetry tracing before a tracer provider is registered (the API alone)', () => {
  it('records nothing, counts no requests and stores no trace context', async () => {
    const tracing = await loadTracing();

    await tracing.inSpan('save BankAccount', {}, (span) => {
      expect(span.isRecording).toBe(false);
      expect(tracing.currentOperation()).toBeUndefined();
      expect(tracing.traceContextMetadata()).toBeUndefined();
      return Promise.resolve();
    });
  });
});

describe('OpenTelemetry tracing with a tracer provider', () => {
  let recorded: ReturnType<typeof registerInMemoryTracing>;
  beforeAll(() => {
    recorded = registerInMemoryTracing();
  });
  afterAll(() => recorded.shutdown());
  beforeEach(() => recorded.reset());

  async function savedIn(name: string) {
    const tracing = await loadTracing();
    return trace.getTracer('test').startActiveSpan(name, (span) => {
      const metadata = tracing.traceContextMetadata()!;
      span.end();
      return { metadata, spanContext: span.spanContext() };
    });
  }

  it('links every trace a batch continues, and stays a child of the caller when they are several', async () => {
    const tracing = await loadTracing();
    const [first, second] = [await savedIn('first save'), await savedIn('second save')];

    await trace.getTracer('test').startActiveSpan('poll', async (poll) => {
      await tracing.inSpan(
        'apply projections',
        { kind: 'consumer', continues: [first.metadata, second.metadata, first.metadata] },
        () => Promise.resolve(),
      );
      poll.end();
    });

    const batch = recorded.spanNamed('apply projections');
    expect(batch.links.map(({ context }) => context.spanId)).toEqual([
      first.spanContext.spanId,
      second.spanContext.spanId,
    ]);
    expect(batch.parentSpanContext?.spanId).toBe(recorded.spanNamed('poll').spanContext().spanId);
  });

  it('ignores metadata whose trace context is missing or malformed', async () => {
    const tracing = await loadTracing();

    await tracing.inSpan(
      'apply projections',
      { continues: [{}, { traceparent: 'not-a-traceparent' }, { traceparent: 42 }] },
      () => Promise.resolve(),
    );

    const batch = recorded.spanNamed('apply projections');
    expect(batch.links).toEqual([]);
    expect(batch.parentSpanContext).toBeUndefined();
  });

  it('counts requests only on the library’s own span, not on a span of the application', async () => {
    const tracing = await loadTracing();

    trace.getTracer('test').startActiveSpan('application work', (span) => {
      expect(tracing.currentOperation()).toBeUndefined();
      span.end();
    });
    await tracing.inSpan('load BankAccount', {}, (span) => {
      expect(tracing.currentOperation()).toBe(span);
      span.countRequest(0.5);
      span.countRequest(undefined);
      return Promise.resolve();
    });
    expect(tracing.currentOperation()).toBeUndefined();

    expect(recorded.spanNamed('load BankAccount').attributes).toEqual({
      [SPAN.requests]: 2,
      [SPAN.consumedCapacity]: 0.5,
      [SPAN.outcome]: 'ok',
    });
    expect(recorded.spanNamed('application work').attributes).toEqual({});
  });
});
