import type {
  AttributeValue,
  PutItemCommandInput,
  QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type StubTableKeys, wireItem } from './stub-table.js';

type SdkItem = Record<string, AttributeValue>;

/** One event of the sample's Account stream, whatever the layout it is stored in. */
export interface SampleEvent {
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly payload: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly eventId: string;
  readonly recordedAt: Date;
}

/** The payload of the sample's MoneyDeposited event for one version. */
export function depositPayload(
  accountId: string,
  version: number,
): { accountId: string; amountCents: number } {
  return { accountId, amountCents: (version % 97) + 1 };
}

/**
 * Version `version` of the sample's account stream: AccountOpened (schema 1) first, then MoneyDeposited (schema 2),
 * each with a correlation and causation id, a UUID and a fixed time. The content of every canned page, in this
 * library's layout and in castore's.
 */
export function sampleEvent(accountId: string, version: number): SampleEvent {
  const opened = version === 1;
  return {
    version,
    type: opened ? 'AccountOpened' : 'MoneyDeposited',
    schemaVersion: opened ? 1 : 2,
    payload: opened ? { accountId, owner: 'Ada Lovelace' } : depositPayload(accountId, version),
    metadata: { correlationId: accountId, causationId: accountId },
    eventId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`,
    recordedAt: new Date('2026-11-25T17:00:00.000Z'),
  };
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// THE EVENT ITEM LAYOUT, as code written without the library writes, asks for and reads it: the one place to change
// when the library's layout changes. Today's: layout 2 of lib/dynamodb/table-layout.ts and items/event-item.ts
// (toEventItem, toStoredEvent, toEventData, EVENT_DATA_ATTRIBUTES): short names, defaults left out, the event id as
// 16 bytes, the time as epoch milliseconds, payloads under 1 KB as JSON text. Every canned page is made of
// handWrittenEventItem's items, so the hand-written baselines and the canned pages switch together.
// Before timing, layout-check.ts and cpu-versus-raw-sdk.ts check that the library writes exactly these items,
// sends these Query requests and decodes these items to what the decoders below give; any difference is printed
// and the rows it touches are labelled as not equal work.
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

/** The events table's keys: partition = stream id, sort = version. */
export const EVENT_TABLE_KEYS = { partitionKey: 'streamId', sortKey: 'version' } as const;

const uuidBytes = (uuid: string): Uint8Array =>
  Uint8Array.from(Buffer.from(uuid.replaceAll('-', ''), 'hex'));

const uuidOf = (bytes: Uint8Array): string =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/** One event's item, as the library writes it (toEventItem). The sample's ids are all UUIDs. */
export function handWrittenEventItem(streamId: string, event: SampleEvent): SdkItem {
  const { correlationId, causationId, ...rest } = event.metadata as {
    correlationId?: string;
    causationId?: string;
  };
  return {
    streamId: { S: streamId },
    version: { N: String(event.version) },
    type: { S: event.type },
    data: { S: JSON.stringify(event.payload) },
    id: { B: uuidBytes(event.eventId) },
    time: { N: String(event.recordedAt.getTime()) },
    ...(event.schemaVersion !== 1 && { schema: { N: String(event.schemaVersion) } }),
    ...(correlationId !== undefined && { corr: { S: correlationId } }),
    ...(causationId !== undefined && { cause: { S: causationId } }),
    ...(Object.keys(rest).length > 0 && { meta: { S: JSON.stringify(rest) } }),
  };
}

/** The conditional PutItem of one event's item, as the library sends it for an append of one event. */
export function handWrittenPutEvent(tableName: string, item: SdkItem): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: item,
    ConditionExpression: 'attribute_not_exists(#version)',
    ExpressionAttributeNames: { '#version': EVENT_TABLE_KEYS.sortKey },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * The attributes a replay (the repository's load) asks for (EVENT_DATA_ATTRIBUTES): the library also names layout
 * 1's (schemaVersion, payload), which items of that layout hold; the request is the same, the answer too, since
 * no canned item has them.
 */
export const REPLAY_ATTRIBUTES: readonly string[] = [
  'version',
  'type',
  'schema',
  'data',
  'schemaVersion',
  'payload',
];

/** The events a page of the library's readStream holds at most: its Query's Limit. */
export const READ_PAGE_EVENTS = 1000;

/**
 * The attributes readStream asks for (STORED_EVENT_ATTRIBUTES): all but the stream id, which the reader knows, with
 * layout 1's names, which no canned item has.
 */
export const READ_ATTRIBUTES: readonly string[] = [
  'version',
  'type',
  'schema',
  'data',
  'meta',
  'id',
  'time',
  'corr',
  'cause',
  'schemaVersion',
  'payload',
  'metadata',
  'eventId',
  'recordedAt',
];

/** The Query of a whole stream in version order, optionally of some attributes only (streamQueries.range). */
export function handWrittenStreamQuery(
  tableName: string,
  streamId: string,
  attributes?: readonly string[],
): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: '#stream = :stream AND #version BETWEEN :from AND :to',
    ExpressionAttributeNames: {
      '#stream': EVENT_TABLE_KEYS.partitionKey,
      '#version': EVENT_TABLE_KEYS.sortKey,
      ...Object.fromEntries((attributes ?? []).map((name) => [`#${name}`, name])),
    },
    ...(attributes
      ? { ProjectionExpression: attributes.map((name) => `#${name}`).join(', ') }
      : {}),
    ExpressionAttributeValues: {
      ':stream': { S: streamId },
      ':from': { N: '1' },
      ':to': { N: String(Number.MAX_SAFE_INTEGER - 1) },
    },
    ConsistentRead: true,
  };
}

/**
 * What a replay needs of an item read with REPLAY_ATTRIBUTES (toEventData). Its attributes are S and N, which read
 * the same from the SDK's output as from the response body's JSON: the physical floor decodes with it too.
 */
export function handWrittenEventData(item: SdkItem): {
  version: number;
  type: string;
  schemaVersion: number;
  payload: unknown;
} {
  const schemaVersion = item.schema;
  return {
    version: Number(item.version!.N),
    type: item.type!.S!,
    schemaVersion: schemaVersion ? Number(schemaVersion.N) : 1,
    payload: JSON.parse(item.data!.S!) as unknown,
  };
}

/** Everything an item read with READ_ATTRIBUTES holds, as the library's readStream gives it (toStoredEvent). */
export function handWrittenStoredEvent(
  item: SdkItem,
  streamId: string,
): {
  streamId: string;
  version: number;
  type: string;
  schemaVersion: number;
  payload: unknown;
  metadata: unknown;
  eventId: string;
  recordedAt: Date;
} {
  const schemaVersion = item.schema;
  const meta = item.meta;
  return {
    streamId,
    version: Number(item.version!.N),
    type: item.type!.S!,
    schemaVersion: schemaVersion ? Number(schemaVersion.N) : 1,
    payload: JSON.parse(item.data!.S!) as unknown,
    metadata: {
      ...(item.corr && { correlationId: item.corr.S! }),
      ...(item.cause && { causationId: item.cause.S! }),
      ...(meta && (JSON.parse(meta.S!) as object)),
    },
    eventId: uuidOf(item.id!.B!),
    recordedAt: new Date(Number(item.time!.N)),
  };
}

// ─── end of the layout ───────────────────────────────────────────────────────────────────────────────────────────

/** The events table of the CPU benches, for a StubTable. */
export function eventTableKeys(tableName: string): StubTableKeys {
  return { tableName, ...EVENT_TABLE_KEYS };
}

/** One canned event item in this library's layout (handWrittenEventItem's), in the SDK's form. */
export function eventItem(streamId: string, accountId: string, version: number): SdkItem {
  return handWrittenEventItem(streamId, sampleEvent(accountId, version));
}

/** Versions `from`…`to` of a stream, canned, for a StubTable. */
export function eventItems(
  streamId: string,
  accountId: string,
  from: number,
  to: number,
): SdkItem[] {
  const items = [];
  for (let version = from; version <= to; version++)
    items.push(eventItem(streamId, accountId, version));
  return items;
}

/**
 * A Query response body holding versions `from`…`to` of a stream in this library's layout; with `lastEvaluated`,
 * it says more pages follow. A fixed page, whatever the request: sections 2 and 3 answer from a StubTable instead,
 * which answers each request by DynamoDB's rules.
 */
export function eventPage(
  streamId: string,
  accountId: string,
  from: number,
  to: number,
  lastEvaluated?: number,
  /** Only these attributes of each item, as a Query with a ProjectionExpression returns them. */
  projection?: readonly string[],
): string {
  const items = eventItems(streamId, accountId, from, to).map((item) =>
    wireItem(
      projection
        ? Object.fromEntries(
            projection.filter((name) => item[name]).map((name) => [name, item[name]!]),
          )
        : item,
    ),
  );
  return JSON.stringify({
    Items: items,
    Count: items.length,
    ScannedCount: items.length,
    ...(lastEvaluated === undefined
      ? {}
      : {
          LastEvaluatedKey: {
            [EVENT_TABLE_KEYS.partitionKey]: { S: streamId },
            [EVENT_TABLE_KEYS.sortKey]: { N: String(lastEvaluated) },
          },
        }),
  });
}
