import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBSingleTableEventStorageAdapter } from '@castore/event-storage-adapter-dynamodb';
import { DynamoEventStore, type EventMetadata, streamIdOf } from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';
import { castoreEventPage } from './support/castore-event-pages.js';
import { createCastoreTable } from './support/castore-table.js';
import { median, medianCpuMicros } from './support/cpu-timer.js';
import { eventItem, eventPage, REPLAY_ATTRIBUTES } from './support/event-pages.js';
import type { BenchEndpoint } from './support/local-endpoint.js';
import { stubbedClient, WRITE_ACCEPTED } from './support/stub-dynamodb.js';

export interface PeerRow {
  readonly operation: string;
  /** What was measured, and where. */
  readonly measure: string;
  /** nestjs-dynamo-es's DynamoEventStore. */
  readonly ours: number;
  /** castore's DynamoDBSingleTableEventStorageAdapter. */
  readonly castore: number;
  readonly oursPerCastore: number;
  /** The goal for oursPerCastore, and whether this run met it. */
  readonly goal?: string;
}

/** Our aggregate type and castore's eventStoreId alike, so that both write the same partition keys. */
const AGGREGATE_TYPE = 'Account';
const SHORT = 10;
const LONG = 1000;
const CPU = 'CPU µs/op, stubbed transport';
const MOTO = 'wall ms/op, moto (sanity only)';

interface SampleEvent {
  readonly type: string;
  readonly payload: unknown;
  readonly metadata: EventMetadata;
}

/** The same work through either store, at its own API's level. */
interface Contender {
  append(accountId: string, version: number, event: SampleEvent): Promise<unknown>;
  read(accountId: string): Promise<readonly { version: number; payload?: unknown }[]>;
  /** The read a load replays from: ours asks for the attributes replay needs; castore has only its one read. */
  replay(accountId: string): Promise<readonly { version: number; payload?: unknown }[]>;
}

/**
 * A peer side by side: castore's DynamoDB adapter (the single-table one, its current recommendation) and this
 * library doing the same work on events of the same content, each in its own item layout. CPU in process over the
 * stubbed transport, which is what the figures are for; wall time on the local endpoint only to show that both
 * really work there.
 */
export async function measurePeerCastore(
  endpoint: BenchEndpoint,
  { quick }: { quick: boolean },
): Promise<PeerRow[]> {
  return [...(await measureCpu(quick)), ...(await measureOnEndpoint(endpoint, quick))];
}

async function measureCpu(quick: boolean): Promise<PeerRow[]> {
  const short = randomUUID();
  const long = randomUUID();
  const ours = stubbed(ourStore, short, long, (id, to, projected) =>
    eventPage(
      streamIdOf(AGGREGATE_TYPE, id),
      id,
      1,
      to,
      undefined,
      projected ? REPLAY_ATTRIBUTES : undefined,
    ),
  );
  const castore = stubbed(castoreAdapter, short, long, (id, to) =>
    castoreEventPage(AGGREGATE_TYPE, id, 1, to),
  );
  const event = sampleEvent(short, 2);
  for (const contender of [ours, castore]) {
    await expectRequests(contender, 'PutItem', () => contender.append(short, 2, event));
    for (const [id, length] of [
      [short, SHORT],
      [long, LONG],
    ] as const) {
      expectStream(await expectRequests(contender, 'Query', () => contender.read(id)), id, length);
      expectStream(
        await expectRequests(contender, 'Query', () => contender.replay(id)),
        id,
        length,
      );
    }
  }
  const timing = (iterations: number) =>
    quick ? { rounds: 1, iterations: 1, warmup: 0 } : { iterations };

  const append = await medianCpuMicros(
    {
      ours: () => ours.append(short, 2, event),
      castore: () => castore.append(short, 2, event),
    },
    timing(200),
  );
  const readShort = await medianCpuMicros(
    { ours: () => ours.read(short), castore: () => castore.read(short) },
    timing(200),
  );
  const readLong = await medianCpuMicros(
    { ours: () => ours.read(long), castore: () => castore.read(long) },
    timing(15),
  );
  const replayLong = await medianCpuMicros(
    { ours: () => ours.replay(long), castore: () => castore.replay(long) },
    timing(15),
  );
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  // The goals; quick figures mean nothing, so they are not judged.
  const goal = (ratio: number) => (quick ? undefined : ratio);
  return [
    row('append 1 event', CPU, append, goal(1)),
    row(`read ${SHORT} events`, CPU, readShort),
    row(
      `read ${LONG} events with metadata (page: ${kb(ours.longPageBytes)} vs ${kb(castore.longPageBytes)})`,
      CPU,
      readLong,
    ),
    row(
      `replay read of ${LONG} events (page: ${kb(ours.longReplayPageBytes)} vs ${kb(castore.longPageBytes)})`,
      CPU,
      replayLong,
      goal(0.7),
    ),
  ];
}

/** Both stores on the endpoint, each with its own table, streams grown one event per request. */
async function measureOnEndpoint(endpoint: BenchEndpoint, quick: boolean): Promise<PeerRow[]> {
  const ourClient = endpoint.newClient();
  const castoreClient = endpoint.newClient();
  try {
    const contenders = {
      ours: ourStore(ourClient, await endpoint.newTable()),
      castore: castoreAdapter(castoreClient, await createCastoreTable(castoreClient)),
    };
    const names = Object.keys(contenders) as (keyof typeof contenders)[];
    const ids = { ours: randomUUID(), castore: randomUUID() };
    const length = quick ? 3 : LONG;
    const appendMs = { ours: [] as number[], castore: [] as number[] };
    for (let version = 1; version <= length; version++) {
      for (const name of names) {
        const event = sampleEvent(ids[name], version);
        const start = performance.now();
        await contenders[name].append(ids[name], version, event);
        appendMs[name].push(performance.now() - start);
      }
    }
    const readMs = { ours: [] as number[], castore: [] as number[] };
    for (let round = 0; round < (quick ? 1 : 5); round++) {
      for (const name of names) {
        const start = performance.now();
        const events = await contenders[name].read(ids[name]);
        readMs[name].push(performance.now() - start);
        expectStream(events, ids[name], length);
      }
    }
    const medians = (samples: Record<'ours' | 'castore', number[]>) => ({
      ours: median(samples.ours),
      castore: median(samples.castore),
    });
    return [
      row(`append 1 event (median of ${length}, growing one stream)`, MOTO, medians(appendMs)),
      row(`read ${length} events (median of ${readMs.ours.length})`, MOTO, medians(readMs)),
    ];
  } finally {
    ourClient.destroy();
    castoreClient.destroy();
  }
}

function ourStore(client: DynamoDBClient, tableName: string): Contender {
  const store = new DynamoEventStore({ client, tableName });
  return {
    append: (accountId, version, event) =>
      store.appendToStream(streamIdOf(AGGREGATE_TYPE, accountId), version - 1, [event]),
    read: (accountId) =>
      lastValueFrom(store.readStream(streamIdOf(AGGREGATE_TYPE, accountId)).pipe(toArray())),
    replay: async (accountId) => {
      const events = [];
      for await (const page of store.readEventData(streamIdOf(AGGREGATE_TYPE, accountId))) {
        events.push(...page);
      }
      return events;
    },
  };
}

function castoreAdapter(client: DynamoDBClient, tableName: string): Contender {
  const adapter = new DynamoDBSingleTableEventStorageAdapter({ tableName, dynamoDBClient: client });
  const context = { eventStoreId: AGGREGATE_TYPE };
  return {
    append: (aggregateId, version, event) =>
      adapter.pushEvent({ aggregateId, version, ...event }, context),
    read: async (aggregateId) => (await adapter.getEvents(aggregateId, context)).events,
    replay: async (aggregateId) => (await adapter.getEvents(aggregateId, context)).events,
  };
}

type Stubbed = Contender & {
  readonly longPageBytes: number;
  readonly longReplayPageBytes: number;
  /** Requests sent, by operation. */
  readonly sent: Map<string, number>;
};

/** A contender over the stubbed transport, whose Query answers hold the short or the long stream in its layout. */
function stubbed(
  make: (client: DynamoDBClient, tableName: string) => Contender,
  short: string,
  long: string,
  page: (accountId: string, length: number, projected: boolean) => string,
): Stubbed {
  const pages = [false, true].map((projected) => ({
    short: page(short, SHORT, projected),
    long: page(long, LONG, projected),
  }));
  const sent = new Map<string, number>();
  const client = stubbedClient((operation, requestBody) => {
    sent.set(operation, (sent.get(operation) ?? 0) + 1);
    if (operation !== 'Query') return WRITE_ACCEPTED;
    const { short: shortPage, long: longPage } =
      pages[requestBody.includes('ProjectionExpression') ? 1 : 0]!;
    return requestBody.includes(short) ? shortPage : longPage;
  });
  return {
    ...make(client, 'events'),
    longPageBytes: Buffer.byteLength(pages[0]!.long),
    longReplayPageBytes: Buffer.byteLength(pages[1]!.long),
    sent,
  };
}

/** Runs `work`, checking that it sent exactly one request, of `operation`: not an error path, not a retry. */
async function expectRequests<T>(
  contender: Stubbed,
  operation: string,
  work: () => Promise<T>,
): Promise<T> {
  const before = [...contender.sent.values()].reduce((total, count) => total + count, 0);
  const ofOperation = contender.sent.get(operation) ?? 0;
  const result = await work();
  const after = [...contender.sent.values()].reduce((total, count) => total + count, 0);
  strictEqual(after - before, 1, `${operation}: requests sent`);
  strictEqual((contender.sent.get(operation) ?? 0) - ofOperation, 1, `${operation} sent`);
  return result;
}

/** Checks that a read returned versions 1…length with the sample's payloads. */
function expectStream(
  events: readonly { version: number; payload?: unknown }[],
  accountId: string,
  length: number,
): void {
  deepStrictEqual(
    events.map(({ version, payload }) => ({ version, payload })),
    Array.from({ length }, (_, index) => ({
      version: index + 1,
      payload: sampleEvent(accountId, index + 1).payload,
    })),
  );
}

/** The event at `version` of the sample's account stream: the content of `eventItem`'s item, as data. */
function sampleEvent(accountId: string, version: number): SampleEvent {
  const item = eventItem(streamIdOf(AGGREGATE_TYPE, accountId), accountId, version);
  return {
    type: item.type!.S!,
    payload: JSON.parse(item.payload!.S!) as unknown,
    metadata: JSON.parse(item.metadata!.S!) as EventMetadata,
  };
}

function row(
  operation: string,
  measure: string,
  { ours, castore }: { ours: number; castore: number },
  goal?: number,
): PeerRow {
  const oursPerCastore = ours / castore;
  return {
    operation,
    measure,
    ours,
    castore,
    oursPerCastore,
    ...(goal === undefined
      ? {}
      : { goal: `≤ ${goal}: ${oursPerCastore <= goal ? 'met' : 'missed'}` }),
  };
}
