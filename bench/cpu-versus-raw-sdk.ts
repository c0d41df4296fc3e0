import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { EventPublisher } from '@nestjs/cqrs';
import { streamIdOf } from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';
import { Account } from '../sample/accounts/account.aggregate.js';
import { AccountOpened, MoneyDeposited } from '../sample/accounts/account.events.js';
import { type AccountStore, startAccountStore } from './support/account-store.js';
import { CPU_ROUNDS, medianCpuMicros } from './support/cpu-timer.js';
import {
  eventItems,
  eventTableKeys,
  handWrittenEventData,
  handWrittenEventItem,
  handWrittenPutEvent,
  handWrittenStoredEvent,
  handWrittenStreamQuery,
  READ_ATTRIBUTES,
  READ_PAGE_EVENTS,
  REPLAY_ATTRIBUTES,
  type SampleEvent,
} from './support/event-pages.js';
import {
  checkOurCannedItems,
  differenceOf,
  projectedAttributes,
  requestsOf,
} from './support/layout-check.js';
import {
  type RecordedRequest,
  RequestRecorder,
  stubbedClient,
  stubbedClientConfig,
} from './support/stub-dynamodb.js';
import { StubTable } from './support/stub-table.js';

export interface CpuRow {
  readonly operation: string;
  /** The Query answers of the library's read: pages and body bytes, what the SDK deserialises. */
  readonly queryAnswer: string;
  /** On the clients DynamoEventStoreModule creates (the store's caches its handler stacks). */
  readonly libraryMicros: number;
  /** On a default client, as the baselines: what a user who passes the module a client of their own gets. */
  readonly libraryOnDefaultClientMicros: number;
  /** The SDK client alone sending the same requests, items left as attribute values. */
  readonly bareSdkMicros: number;
  /** The same requests plus what code without the library must do to get the same result. */
  readonly handWrittenMicros: number;
  /**
   * That code on a client that caches its handler stacks, as the library's store client does: the least the
   * library could cost on its client.
   */
  readonly handWrittenOnCachingClientMicros: number;
  /** Replays only: the physical floor, no SDK (see `floorReplay`). */
  readonly floorMicros?: number;
  /** libraryMicros / handWrittenMicros: the module's client against hand-written code on a default one. */
  readonly ratioToHandWritten: number;
  /** Both on a default client. */
  readonly ratioToHandWrittenSameClient: number;
  readonly ratioToBareSdk: number;
  readonly ratioToFloor?: number;
}

type SdkItem = Record<string, AttributeValue>;

const TABLE = 'events';
const ACCOUNT_ID = '7d1c2b0e-4f0a-4b8e-9a51-3f1f6f2d9c11';
const STREAM_ID = streamIdOf('Account', ACCOUNT_ID);

/**
 * CPU per operation of the library against the bare SDK client sending the very same requests, on a stubbed
 * transport whose table (a StubTable holding the canned stream) answers every request of every row by DynamoDB's
 * rules. Two baselines: the requests alone, items left as attribute values, and the requests plus the decoding and
 * replay code without the library would need to reach the same state (what using the library is weighed
 * against). Replays also get the physical floor: the answer's bytes parsed and applied with no SDK at all.
 * Before timing, each row's code is checked to send the same requests and reach the same result; a row where it
 * does not says so in its label.
 */
export async function measureCpuVersusRawSdk({ quick }: { quick: boolean }): Promise<CpuRow[]> {
  const layoutDifferences = await checkOurCannedItems();
  for (const difference of layoutDifferences) console.log(`⚠ every row: ${difference}`);
  const rows: CpuRow[] = [];
  for (const events of [10, 1000]) {
    const table = new StubTable(
      eventTableKeys(TABLE),
      eventItems(STREAM_ID, ACCOUNT_ID, 1, events),
    );
    const recorder = new RequestRecorder(table.answer);
    // The library on the clients DynamoEventStoreModule creates (the store's caches its handler stacks), over the
    // stub; the SDK baselines on a default client, as code written without the library would have it.
    const client = stubbedClient(recorder.answer);
    // Tracing off, as in an application without @opentelemetry/api: section 8 measures what it adds.
    const untraced = { openTelemetry: false };
    const store = await startAccountStore(
      { clientConfig: stubbedClientConfig(recorder.answer) },
      TABLE,
      100,
      untraced,
    );
    const onDefaultClient = await startAccountStore(client, TABLE, 100, untraced);
    const hand = handWrittenStore(client, store.publisher);
    const cachingClient = stubbedClient(recorder.answer, { cacheMiddleware: true });
    const handOnCachingClient = handWrittenStore(cachingClient, store.publisher);
    try {
      const checks = await checkSameWork(store, hand, recorder, events);
      const iterations = quick ? 1 : Math.max(20, Math.round(20_000 / events));
      const timing = { iterations, warmup: quick ? 1 : iterations, rounds: quick ? 1 : CPU_ROUNDS };
      const label = (operation: string, differences: readonly string[]) => {
        for (const difference of differences) console.log(`⚠ ${operation}: ${difference}`);
        return differences.length + layoutDifferences.length === 0
          ? operation
          : `${operation} — NOT EQUAL WORK: hand-written ≠ library (see ⚠)`;
      };

      const floorBodies = checks.replayAnswers;
      const load = await medianCpuMicros(
        {
          library: () => store.accounts.load(ACCOUNT_ID),
          libraryOnDefaultClient: () => onDefaultClient.accounts.load(ACCOUNT_ID),
          bare: hand.queryReplay,
          handWritten: hand.load,
          handWrittenOnCachingClient: handOnCachingClient.load,
          floor: () => Promise.resolve(floorReplay(floorBodies, store.publisher)),
        },
        timing,
      );
      rows.push(
        row(
          label(
            `load (replay) of ${events} events, ${checks.replayProjection} attributes projected`,
            checks.replay,
          ),
          pagesOf(floorBodies),
          load,
        ),
      );
      if (events === 10) {
        const command = await medianCpuMicros(
          {
            library: () => libraryCommand(store),
            libraryOnDefaultClient: () => libraryCommand(onDefaultClient),
            bare: async () => {
              await hand.queryReplay();
              await hand.put(events + 1, { accountId: ACCOUNT_ID, amountCents: 1 });
            },
            handWritten: () => hand.command(events),
            handWrittenOnCachingClient: () => handOnCachingClient.command(events),
          },
          timing,
        );
        rows.push(
          row(
            label('command: load 10 events, deposit, save 1', checks.command),
            pagesOf(floorBodies),
            command,
          ),
        );
        const append = await medianCpuMicros(
          {
            library: () => libraryAppend(store, events),
            libraryOnDefaultClient: () => libraryAppend(onDefaultClient, events),
            handWritten: () => hand.put(events + 1, APPENDED_PAYLOAD),
            handWrittenOnCachingClient: () => handOnCachingClient.put(events + 1, APPENDED_PAYLOAD),
          },
          timing,
        );
        // An append has nothing to decode: the bare SDK's requests are the hand-written code.
        rows.push(
          row(label('append 1 event (core appendToStream)', checks.append), 'none', {
            ...append,
            bare: append.handWritten,
          }),
        );
      } else {
        const read = await medianCpuMicros(
          {
            library: () => libraryReadStream(store),
            libraryOnDefaultClient: () => libraryReadStream(onDefaultClient),
            bare: hand.queryAll,
            handWritten: hand.readAll,
            handWrittenOnCachingClient: handOnCachingClient.readAll,
          },
          timing,
        );
        rows.push(
          row(
            label(`read of ${events} events, all attributes (core readStream)`, checks.read),
            pagesOf(checks.readAnswers),
            read,
          ),
        );
      }
    } finally {
      await store.close();
      await onDefaultClient.close();
      client.destroy();
      cachingClient.destroy();
    }
  }
  return rows;
}

const libraryCommand = async (store: AccountStore) => {
  const account = await store.accounts.load(ACCOUNT_ID);
  account.deposit(1);
  await store.accounts.save(account);
};

/** What the append row appends: one deposit, after the canned stream (the stub stores no write). */
const APPENDED_PAYLOAD = { accountId: ACCOUNT_ID, amountCents: 1 };

const libraryAppend = (store: AccountStore, events: number) =>
  store.store.appendToStream(STREAM_ID, events, [
    { type: 'MoneyDeposited', schemaVersion: 2, payload: APPENDED_PAYLOAD },
  ]);

const libraryReadStream = (store: AccountStore) =>
  lastValueFrom(store.store.readStream(STREAM_ID).pipe(toArray()));

type HandWrittenStore = ReturnType<typeof handWrittenStore>;

/**
 * The library's requests, and the least code that gets the same result from them, on the bare client: the item
 * layout, requests and decoding come from the layout section of event-pages.ts.
 */
function handWrittenStore(client: DynamoDBClient, publisher: EventPublisher) {
  /** Every page of a Query, as the library reads them: the next one from LastEvaluatedKey. */
  const queryAll = async (input: QueryCommandInput): Promise<SdkItem[]> => {
    const items: SdkItem[] = [];
    let page: QueryCommandOutput | undefined;
    do {
      page = await client.send(
        new QueryCommand(
          page?.LastEvaluatedKey ? { ...input, ExclusiveStartKey: page.LastEvaluatedKey } : input,
        ),
      );
      for (const item of page.Items ?? []) items.push(item);
    } while (page.LastEvaluatedKey);
    return items;
  };
  const replayQuery = () => handWrittenStreamQuery(TABLE, STREAM_ID, REPLAY_ATTRIBUTES);
  const fullQuery = () => ({
    ...handWrittenStreamQuery(TABLE, STREAM_ID, READ_ATTRIBUTES),
    Limit: READ_PAGE_EVENTS,
  });
  const load = async () => {
    const account = publisher.mergeObjectContext(new Account(ACCOUNT_ID));
    account.loadFromHistory((await queryAll(replayQuery())).map(toAccountEvent));
    return account;
  };
  const put = (version: number, payload: Record<string, unknown>) => {
    const event: SampleEvent = {
      version,
      type: 'MoneyDeposited',
      schemaVersion: 2,
      payload,
      metadata: {},
      eventId: randomUUID(),
      recordedAt: new Date(),
    };
    return client.send(
      new PutItemCommand(handWrittenPutEvent(TABLE, handWrittenEventItem(STREAM_ID, event))),
    );
  };
  return {
    /** The replay's Query alone, its items left as attribute values. */
    queryReplay: () => queryAll(replayQuery()),
    queryAll: () => queryAll(fullQuery()),
    load,
    readAll: async () =>
      (await queryAll(fullQuery())).map((item) => handWrittenStoredEvent(item, STREAM_ID)),
    put,
    command: async (events: number) => {
      const account = await load();
      account.deposit(1);
      const deposited = account.getUncommittedEvents()[0] as MoneyDeposited;
      await put(events + 1, { accountId: deposited.accountId, amountCents: deposited.amountCents });
      account.commit();
    },
  };
}

/** The sample's event for an item read with the replay's attributes. */
function toAccountEvent(item: SdkItem): AccountOpened | MoneyDeposited {
  const { type, payload } = handWrittenEventData(item) as {
    type: string;
    payload: { accountId: string; owner: string; amountCents: number };
  };
  return type === 'AccountOpened'
    ? new AccountOpened(payload.accountId, payload.owner)
    : new MoneyDeposited(payload.accountId, payload.amountCents);
}

/**
 * The physical floor of a replay: the Query answers exactly as the stub sends them for the library's replay (the
 * bytes DynamoDB would send, only the projected attributes in them), JSON.parse'd, each item's payload parsed and
 * applied to the sample's Account as the hand-written replay applies it (one loadFromHistory). No SDK: no
 * request made, signed or sent, no response handling, no AttributeValue conversion.
 */
function floorReplay(bodies: readonly Buffer[], publisher: EventPublisher): Account {
  const account = publisher.mergeObjectContext(new Account(ACCOUNT_ID));
  for (const body of bodies) {
    const { Items } = JSON.parse(body.toString('utf8')) as { Items: SdkItem[] };
    account.loadFromHistory(Items.map(toAccountEvent));
  }
  return account;
}

interface SameWork {
  /** Why each row is not equal work, if it is not. */
  readonly replay: string[];
  readonly command: string[];
  readonly append: string[];
  readonly read: string[];
  /** The answers to the library's replay: the floor's input. */
  readonly replayAnswers: Buffer[];
  /** How many attributes the library's replay asks for. */
  readonly replayProjection: number | undefined;
  readonly readAnswers: Buffer[];
}

/**
 * Runs each row's library and hand-written code once, recording their requests: the same requests (byte for byte
 * once parsed, the fresh event id and time of a save aside), and the same result.
 */
async function checkSameWork(
  store: AccountStore,
  hand: HandWrittenStore,
  recorder: RequestRecorder,
  events: number,
): Promise<SameWork> {
  const sameRequests = (
    library: readonly RecordedRequest[],
    handWritten: readonly RecordedRequest[],
  ) => {
    const difference = differenceOf(requestsOf(library), requestsOf(handWritten));
    return difference ? [`requests: ${difference}`] : [];
  };
  const sameResult = (what: string, library: unknown, handWritten: unknown) => {
    const difference = differenceOf(library, handWritten);
    return difference ? [`${what}: ${difference}`] : [];
  };

  const libraryLoad = await recorder.record(() => store.accounts.load(ACCOUNT_ID));
  const handLoad = await recorder.record(hand.load);
  if (store.accounts.versionOf(libraryLoad.result) !== events) {
    throw new Error(`The library loaded version ${store.accounts.versionOf(libraryLoad.result)}`);
  }
  const stateOf = ({ owner, balanceCents }: Account) => ({ owner, balanceCents });
  const libraryEventData = [];
  for await (const page of store.store.readEventData(STREAM_ID)) libraryEventData.push(...page);
  const replay = [
    ...sameRequests(libraryLoad.requests, handLoad.requests),
    ...sameResult('state', stateOf(libraryLoad.result), stateOf(handLoad.result)),
    ...sameResult(
      'decoded events',
      libraryEventData,
      (await hand.queryReplay()).map(handWrittenEventData),
    ),
    ...sameResult(
      'floor state',
      stateOf(libraryLoad.result),
      stateOf(floorReplay(answersOf(libraryLoad.requests), store.publisher)),
    ),
  ];

  const libraryCommandRun = await recorder.record(() => libraryCommand(store));
  const handCommandRun = await recorder.record(() => hand.command(events));
  const command = sameRequests(
    withoutStamps(libraryCommandRun.requests),
    withoutStamps(handCommandRun.requests),
  );

  const libraryAppendRun = await recorder.record(() => libraryAppend(store, events));
  const handAppendRun = await recorder.record(() => hand.put(events + 1, APPENDED_PAYLOAD));
  const append = sameRequests(
    withoutStamps(libraryAppendRun.requests),
    withoutStamps(handAppendRun.requests),
  );

  const libraryRead = await recorder.record(() => libraryReadStream(store));
  const handRead = await recorder.record(hand.readAll);
  const read = [
    ...sameRequests(libraryRead.requests, handRead.requests),
    ...sameResult('events', libraryRead.result, handRead.result),
  ];
  return {
    replay,
    command,
    append,
    read,
    replayAnswers: answersOf(libraryLoad.requests),
    replayProjection: projectedAttributes(libraryLoad.requests),
    readAnswers: answersOf(libraryRead.requests),
  };
}

const answersOf = (requests: readonly RecordedRequest[]) =>
  requests.filter(({ operation }) => operation === 'Query').map(({ answer }) => answer);

/**
 * The attributes of an event item that hold its fresh id and time: those that differ between two items of one
 * event made with different ids and times. Found from handWrittenEventItem, so that it follows the layout.
 */
const STAMP_ATTRIBUTES = (() => {
  const event = (eventId: string, time: number): SampleEvent => ({
    version: 2,
    type: 'MoneyDeposited',
    schemaVersion: 2,
    payload: {},
    metadata: {},
    eventId,
    recordedAt: new Date(time),
  });
  const one = handWrittenEventItem(STREAM_ID, event(randomUUID(), 0));
  const other = handWrittenEventItem(STREAM_ID, event(randomUUID(), 1));
  return Object.keys(one).filter(
    (name) => JSON.stringify(one[name]) !== JSON.stringify(other[name]),
  );
})();

/** PutItem requests with the stamp attributes' values blanked, so that two saves of one event compare equal. */
function withoutStamps(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.map((request) => {
    if (request.operation !== 'PutItem') return request;
    const body = JSON.parse(request.body) as { Item: Record<string, unknown> };
    for (const name of STAMP_ATTRIBUTES) if (name in body.Item) body.Item[name] = '(stamp)';
    return { ...request, body: JSON.stringify(body) };
  });
}

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

function pagesOf(answers: readonly Buffer[]): string {
  const bytes = answers.reduce((total, answer) => total + answer.length, 0);
  return `${answers.length} page${answers.length === 1 ? '' : 's'}, ${kb(bytes)}`;
}

function row(
  operation: string,
  queryAnswer: string,
  {
    library,
    libraryOnDefaultClient,
    bare,
    handWritten,
    handWrittenOnCachingClient,
    floor,
  }: {
    library: number;
    libraryOnDefaultClient: number;
    bare: number;
    handWritten: number;
    handWrittenOnCachingClient: number;
    floor?: number;
  },
): CpuRow {
  return {
    operation,
    queryAnswer,
    libraryMicros: library,
    libraryOnDefaultClientMicros: libraryOnDefaultClient,
    bareSdkMicros: bare,
    handWrittenMicros: handWritten,
    handWrittenOnCachingClientMicros: handWrittenOnCachingClient,
    ...(floor === undefined ? {} : { floorMicros: floor }),
    ratioToHandWritten: library / handWritten,
    ratioToHandWrittenSameClient: libraryOnDefaultClient / handWritten,
    ratioToBareSdk: library / bare,
    ...(floor === undefined ? {} : { ratioToFloor: library / floor }),
  };
}
