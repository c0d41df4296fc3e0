import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { streamIdOf } from 'nestjs-dynamo-es';
import { type AccountStore, startAccountStore } from './support/account-store.js';
import { CPU_ROUNDS, medianCpuMicros } from './support/cpu-timer.js';
import { eventItems, eventTableKeys } from './support/event-pages.js';
import { stubbedClient } from './support/stub-dynamodb.js';
import { StubTable } from './support/stub-table.js';

export interface TelemetryRow {
  readonly tracing: string;
  /** A command: load 10 events, deposit, save 1, on the stubbed transport (a client as the module makes it). */
  readonly commandMicros: number;
  /** The same command, in the same interleaved rounds, with tracing off. */
  readonly tracingOffMicros: number;
  readonly ratioToTracingOff: number;
  readonly spansPerCommand: number;
}

const ACCOUNT_ID = '5b0c8a57-8a4e-4f67-b7c4-8c4c0b9b1e22';
const EVENTS = 10;

/**
 * What tracing costs a command. `off` is the module's `openTelemetry: false`, the same code path as an application
 * without @opentelemetry/api installed (both get NO_TRACING). Then the API installed with no tracer provider, as
 * an application that has the package but registers no SDK; then an SDK recording every span (async context, W3C
 * propagator, a processor per span, an exporter that drops them). Once a provider is registered it is the
 * process's, so each candidate is timed in its own interleaved run against `off`.
 */
export async function measureTelemetryOverhead({
  quick,
}: {
  quick: boolean;
}): Promise<TelemetryRow[]> {
  const table = new StubTable(
    eventTableKeys('events'),
    eventItems(streamIdOf('Account', ACCOUNT_ID), ACCOUNT_ID, 1, EVENTS),
  );
  const client = stubbedClient(table.answer, { cacheMiddleware: true });
  const off = await startAccountStore(client, 'events', 100, { openTelemetry: false });
  const on = await startAccountStore(client, 'events', 100);
  const iterations = quick ? 1 : 2000;
  // In a full run promise hooks are on by now (the sample's CommandBus in sections 5–7), and OpenTelemetry's context
  // manager turns them on for the second row: for both columns alike.
  const timing = {
    iterations,
    warmup: quick ? 1 : iterations,
    rounds: quick ? 1 : CPU_ROUNDS,
    promiseHooksExpected: true,
  };
  const command = (store: AccountStore) => async () => {
    const account = await store.accounts.load(ACCOUNT_ID);
    account.deposit(1);
    await store.accounts.save(account);
  };
  const rows: TelemetryRow[] = [];
  try {
    const apiAlone = await medianCpuMicros({ off: command(off), on: command(on) }, timing);
    rows.push(row('@opentelemetry/api, no tracer provider', apiAlone, 0));

    let exported = 0;
    const dropping: SpanExporter = {
      export: (spans: ReadableSpan[], done) => {
        exported += spans.length;
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
    };
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(dropping)],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    try {
      const before = exported;
      await command(on)();
      const spansPerCommand = exported - before;
      const recording = await medianCpuMicros({ off: command(off), on: command(on) }, timing);
      rows.push(row('SDK recording every span', recording, spansPerCommand));
    } finally {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    }
  } finally {
    await off.close();
    await on.close();
    client.destroy();
  }
  return rows;
}

function row(
  tracing: string,
  { off, on }: { off: number; on: number },
  spansPerCommand: number,
): TelemetryRow {
  return {
    tracing,
    commandMicros: on,
    tracingOffMicros: off,
    ratioToTracingOff: on / off,
    spansPerCommand,
  };
}
