import { deepStrictEqual } from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBSingleTableEventStorageAdapter } from '@castore/event-storage-adapter-dynamodb';
import { DynamoEventStore, type EventMetadata, streamIdOf } from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';
import { castoreEventItems, castoreTableKeys } from './support/castore-event-pages.js';
import { createCastoreTable } from './support/castore-table.js';
import { median, medianCpuMicros } from './support/cpu-timer.js';
import {
  eventItems,
  eventTableKeys,
  READ_PAGE_EVENTS,
  sampleEvent,
} from './support/event-pages.js';
import {
  checkCastoreCannedItems,
  checkOurCannedItems,
  projectedAttributes,
} from './support/layout-check.js';
import type { BenchEndpoint } from './support/local-endpoint.js';
import { type RecordedRequest, RequestRecorder, stubbedClient } from './support/stub-dynamodb.js';
import { StubTable } from './support/stub-table.js';

export interface PeerRow {
  readonly operation: string;
  /** What was measured, and where. */
  readonly measure: string;
  /** Stubbed reads: the size of each store's Query answer (ours / castore's), what its SDK client deserialises. */
  readonly answers?: string;
  /** nestjs-dynamo-es's DynamoEventStore, on a default client. */
  readonly ours: number;
  /** castore's DynamoDBSingleTableEventStorageAdapter, on a default client. */
  readonly castore: number;
  readonly oursPerCastore: number;
  /**
   * Stubbed rows: both again on clients that cache their handler stacks (cacheMiddleware), as
   * DynamoEventStoreModule creates its store's; castore sends plain commands, so it can be given one too.
   */
  readonly oursCachedClient?: number;
  readonly castoreCachedClient?: number;
  readonly cachedOursPerCastore?: number;
  /** The issue's goal for oursPerCastore, and whether this run met it on each kind of client. */
  readonly goal?: string;
}

/** Our aggregate type and castore's eventStoreId alike, so that both write the same partition keys. */
const AGGREGATE_TYPE = 'Account';
const TABLE = 'events';
const SHORT = 10;
const LONG = 1000;
const CPU = 'CPU µs/op, stubbed transport';
const MOTO = 'wall ms/op, moto (sanity only)';

interface AppendedEvent {
  readonly type: string;
  readonly payload: unknown;
  readonly metadata: EventMetadata;
}

/** The same work through either store, at its own API's level. */
interface Contender {
  append(accountId: string, version: number, event: AppendedEvent): Promise<unknown>;
  read(accountId: string): Promise<readonly { version: number; payload?: unknown }[]>;
  /**
   * The read a load replays from: ours asks for the attributes replay needs (readEventData); castore has only its
   * one read, of everything. Not equal work: its row says so.
   */
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
  const [ourDifferences, castoreDifferences] = [
    await checkOurCannedItems(),
    await checkCastoreCannedItems(),
  ];
  for (const difference of [...ourDifferences, ...castoreDifferences]) {
    console.log(`⚠ stubbed rows: ${difference}`);
  }
  const short = randomUUID();
  const long = randomUUID();
  const ourTable = new StubTable(eventTableKeys(TABLE), [
    ...eventItems(streamIdOf(AGGREGATE_TYPE, short), short, 1, SHORT),
    ...eventItems(streamIdOf(AGGREGATE_TYPE, long), long, 1, LONG),
  ]);
  const castoreTable = new StubTable(castoreTableKeys(TABLE), [
    ...castoreEventItems(AGGREGATE_TYPE, short, 1, SHORT),
    ...castoreEventItems(AGGREGATE_TYPE, long, 1, LONG),
  ]);
  const ours = stubbed(ourStore, ourTable);
  const castore = stubbed(castoreAdapter, castoreTable);
  const cached = { cacheMiddleware: true };
  const oursCached = stubbed(ourStore, ourTable, cached);
  const castoreCached = stubbed(castoreAdapter, castoreTable, cached);
  const event = appendedEvent(short, 2);
  const answered = { ours: new Map<string, number>(), castore: new Map<string, number>() };
  let ourReplayProjection: number | undefined;
  for (const [name, contender] of [
    ['ours', ours],
    ['castore', castore],
    ['ours', oursCached],
    ['castore', castoreCached],
  ] as const) {
    await expectRequests(contender, 'PutItem', () => contender.append(short, 2, event));
    for (const [id, length] of [
      [short, SHORT],
      [long, LONG],
    ] as const) {
      for (const read of ['read', 'replay'] as const) {
        // Ours reads history in pages of 1,000 events; DynamoDB gives a LastEvaluatedKey whenever a page reaches
        // its Limit, so a stream of exactly 1,000 takes a second, empty Query.
        const queries =
          name === 'ours' && read === 'read' ? Math.floor(length / READ_PAGE_EVENTS) + 1 : 1;
        const { result, requests } = await expectRequests(
          contender,
          'Query',
          () => contender[read](id),
          queries,
        );
        expectStream(result, id, length);
        answered[name].set(
          `${read} ${length}`,
          requests.reduce((bytes, request) => bytes + request.answer.length, 0),
        );
        if (name === 'ours' && read === 'replay')
          ourReplayProjection = projectedAttributes(requests);
      }
    }
  }
  const timing = (iterations: number) =>
    quick ? { rounds: 1, iterations: 1, warmup: 0 } : { iterations };

  const timed = (iterations: number, work: (contender: Contender) => Promise<unknown>) =>
    medianCpuMicros(
      {
        ours: () => work(ours),
        castore: () => work(castore),
        oursCachedClient: () => work(oursCached),
        castoreCachedClient: () => work(castoreCached),
      },
      timing(iterations),
    );
  const append = await timed(200, (contender) => contender.append(short, 2, event));
  const readShort = await timed(200, (contender) => contender.read(short));
  const readLong = await timed(15, (contender) => contender.read(long));
  const replayLong = await timed(15, (contender) => contender.replay(long));
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  const answers = (read: 'read' | 'replay', length: number) =>
    `${kb(answered.ours.get(`${read} ${length}`)!)} / ` +
    `${kb(answered.castore.get(`${read} ${length}`)!)}`;
  // The canned items stand for what each store writes; where they do not, the read rows say so.
  const caveat =
    ourDifferences.length + castoreDifferences.length === 0
      ? ''
      : ` — NOT EQUAL WORK: canned items ≠ what ${
          ourDifferences.length === 0
            ? 'castore'
            : castoreDifferences.length === 0
              ? 'ours'
              : 'either'
        } writes (see ⚠)`;
  // The issue's goals; quick figures mean nothing, so they are not judged.
  const goal = (ratio: number) => (quick ? undefined : ratio);
  return [
    // An append writes what each store makes of the event: the canned items play no part in it.
    row('append 1 event', CPU, append, { goal: goal(1) }),
    row(`read ${SHORT} events, all attributes${caveat}`, CPU, readShort, {
      answers: answers('read', SHORT),
    }),
    row(`read ${LONG} events, all attributes${caveat}`, CPU, readLong, {
      answers: answers('read', LONG),
      goal: goal(0.7),
    }),
    row(
      `replay read of ${LONG} events — NOT EQUAL WORK: ours projected to ` +
        `${ourReplayProjection} attributes (readEventData), castore all (getEvents, its only read)` +
        caveat.replace(' — NOT EQUAL WORK:', ';'),
      CPU,
      replayLong,
      { answers: answers('replay', LONG) },
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
        const event = appendedEvent(ids[name], version);
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

type Stubbed = Contender & { readonly recorder: RequestRecorder };

/** A contender over the stubbed transport, answered by `table`: the short and the long stream in its layout. */
function stubbed(
  make: (client: DynamoDBClient, tableName: string) => Contender,
  table: StubTable,
  config: { cacheMiddleware?: boolean } = {},
): Stubbed {
  const recorder = new RequestRecorder(table.answer);
  return { ...make(stubbedClient(recorder.answer, config), TABLE), recorder };
}

/**
 * Runs `work`, checking that it sent exactly one request, of `operation`: not an error path, not a retry. Returns
 * its result and the request, with its answer.
 */
async function expectRequests<T>(
  contender: Stubbed,
  operation: string,
  work: () => Promise<T>,
  count = 1,
): Promise<{ result: T; requests: RecordedRequest[] }> {
  const recorded = await contender.recorder.record(work);
  deepStrictEqual(
    recorded.requests.map((request) => request.operation),
    Array.from({ length: count }, () => operation),
    `${operation}: requests sent`,
  );
  return recorded;
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

/** What both stores are given to append: the sample event's type, payload and metadata. */
function appendedEvent(accountId: string, version: number): AppendedEvent {
  const { type, payload, metadata } = sampleEvent(accountId, version);
  return { type, payload, metadata };
}

function row(
  operation: string,
  measure: string,
  figures: {
    ours: number;
    castore: number;
    oursCachedClient?: number;
    castoreCachedClient?: number;
  },
  { answers, goal }: { answers?: string; goal?: number } = {},
): PeerRow {
  const { ours, castore, oursCachedClient, castoreCachedClient } = figures;
  const oursPerCastore = ours / castore;
  const cachedOursPerCastore =
    oursCachedClient === undefined || castoreCachedClient === undefined
      ? undefined
      : oursCachedClient / castoreCachedClient;
  const judged = (ratio: number) => `${ratio <= goal! ? 'met' : 'missed'}`;
  return {
    operation,
    measure,
    answers,
    ours,
    castore,
    oursPerCastore,
    ...(cachedOursPerCastore === undefined
      ? {}
      : { oursCachedClient, castoreCachedClient, cachedOursPerCastore }),
    ...(goal === undefined
      ? {}
      : {
          goal:
            `≤ ${goal}: ${judged(oursPerCastore)}` +
            (cachedOursPerCastore === undefined
              ? ''
              : ` (default clients), ${judged(cachedOursPerCastore)} (cached)`),
        }),
  };
}
