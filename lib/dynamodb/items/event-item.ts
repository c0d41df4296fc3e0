import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { PreparedEvent } from '../../core/append-request.js';
import type { EventData, EventMetadata, StoredEvent } from '../../core/types.js';
import { decodeJson, encodeJson } from '../codec.js';
import {
  EVENT_TABLE_ATTRIBUTES as A,
  LAYOUT_1_ATTRIBUTES as L1,
  SNAPSHOT_SORT_KEY,
  type WireItem,
} from '../table-layout.js';
import { jsonAttribute, jsonTextOf, type ResolvedCompression } from './json-attribute.js';

/** How a store encodes the items it writes. */
export interface ItemEncoding {
  /** Undefined: payloads and states are never compressed. */
  readonly compression: ResolvedCompression | undefined;
}

/** The item of one event (layout 2): the attributes of EVENT_TABLE_ATTRIBUTES but the snapshot's and the key's. */
export function toEventItem(
  streamId: string,
  event: PreparedEvent,
  { compression }: ItemEncoding,
): WireItem {
  const payload = encodeJson(event.payload, streamId, event.type, 'payload');
  const { correlationId, causationId, ...rest } = event.metadata;
  const item: WireItem = {
    [A.streamId]: { S: streamId },
    [A.version]: { N: String(event.version) },
    [A.type]: { S: event.type },
    [A.payload]: jsonAttribute(payload, compression),
    [A.eventId]: idAttribute(event.eventId),
    [A.recordedAt]: { N: String(event.recordedAt.getTime()) },
  };
  if (event.schemaVersion !== 1) item[A.schemaVersion] = { N: String(event.schemaVersion) };
  // The ids most events carry get attributes of their own, as strings: their JSON keys and quotes are left out. Not
  // as 16 bytes, as the event's id is: every binary attribute read is one more typed array for the SDK to make.
  const others: Record<string, unknown> = rest;
  if (typeof correlationId === 'string') item[A.correlationId] = { S: correlationId };
  else if (correlationId !== undefined) others.correlationId = correlationId;
  if (typeof causationId === 'string') item[A.causationId] = { S: causationId };
  else if (causationId !== undefined) others.causationId = causationId;
  if (Object.keys(others).length > 0) {
    const metadata = encodeJson(others, streamId, event.type, 'metadata');
    if (metadata !== '{}') item[A.metadata] = { S: metadata };
  }
  return item;
}

/**
 * The attributes `toStoredEvent` reads but the stream id, in either layout: a read of one stream asks for these,
 * since it knows the stream already (one attribute value less per event for the SDK to deserialise: 15 % of a
 * 1,000-event page's CPU, measured).
 */
export const STORED_EVENT_ATTRIBUTES = [
  A.version,
  A.type,
  A.schemaVersion,
  A.payload,
  A.metadata,
  A.eventId,
  A.recordedAt,
  A.correlationId,
  A.causationId,
  ...Object.values(L1),
] as const;

/** The event an item holds; `streamId` for an item read without it (STORED_EVENT_ATTRIBUTES). */
export function toStoredEvent(item: WireItem, streamId = item[A.streamId]!.S!): StoredEvent {
  // toEventData's fields written out rather than spread in: this runs once per event read.
  return {
    streamId,
    version: Number(item[A.version]!.N),
    type: item[A.type]!.S!,
    schemaVersion: schemaVersionOf(item),
    payload: decodeJson(jsonTextOf(item[A.payload] ?? item[L1.payload]!)),
    metadata: metadataOf(item),
    eventId: eventIdOf(item)!,
    recordedAt: recordedAtOf(item),
  };
}

/** The attributes `toEventData` reads, in either layout: a read for rebuilding state asks for these only. */
export const EVENT_DATA_ATTRIBUTES = [
  A.version,
  A.type,
  A.schemaVersion,
  A.payload,
  L1.schemaVersion,
  L1.payload,
] as const;

export function toEventData(item: WireItem): EventData {
  return {
    version: Number(item[A.version]!.N),
    type: item[A.type]!.S!,
    schemaVersion: schemaVersionOf(item),
    payload: decodeJson(jsonTextOf(item[A.payload] ?? item[L1.payload]!)),
  };
}

/** The metadata of an event item, in either layout: its ids and its JSON together again. */
function metadataOf(item: WireItem): EventMetadata {
  const json = item[A.metadata] ?? item[L1.metadata];
  const correlation = item[A.correlationId];
  const causation = item[A.causationId];
  const rest = json ? (decodeJson(json.S!) as EventMetadata) : undefined;
  // Literals and spreads, which define every key as an own property (`__proto__` included), as JSON.parse does.
  if (correlation && causation) {
    return { correlationId: correlation.S, causationId: causation.S, ...rest };
  }
  if (correlation) return { correlationId: correlation.S, ...rest };
  if (causation) return { causationId: causation.S, ...rest };
  return rest ?? {};
}

/** The attributes `eventIdOf` reads, in either layout. */
export const EVENT_ID_ATTRIBUTES = [A.eventId, L1.eventId] as const;

/** The id of the event an item holds; undefined for an item without one (a snapshot, an idempotency key). */
export function eventIdOf(item: WireItem): string | undefined {
  const id = item[A.eventId];
  if (id?.B !== undefined) return uuidOf(id.B);
  return id?.S ?? item[L1.eventId]?.S;
}

export function isSnapshotItem(item: WireItem): boolean {
  return Number(item[A.version]?.N) === SNAPSHOT_SORT_KEY;
}

/** The schema version of an event or snapshot item, in either layout: 1 when absent. */
export function schemaVersionOf(item: WireItem): number {
  const schemaVersion = item[A.schemaVersion] ?? item[L1.schemaVersion];
  return schemaVersion ? Number(schemaVersion.N) : 1;
}

/** The time of an item, in either layout. */
export function recordedAtOf(item: WireItem): Date {
  const time = item[A.recordedAt];
  return time ? new Date(Number(time.N)) : new Date(item[L1.recordedAt]!.S!);
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An event id: a UUID in lower-case canonical form (what randomUUID gives) as its 16 bytes; any other as it is. */
function idAttribute(id: string): AttributeValue {
  return CANONICAL_UUID.test(id) ? { B: Buffer.from(id.replaceAll('-', ''), 'hex') } : { S: id };
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** The UUID `idAttribute` stored as bytes: built from a table, with no buffer made per id. */
function uuidOf(b: Uint8Array): string {
  return (
    HEX[b[0]!]! +
    HEX[b[1]!]! +
    HEX[b[2]!]! +
    HEX[b[3]!]! +
    '-' +
    HEX[b[4]!]! +
    HEX[b[5]!]! +
    '-' +
    HEX[b[6]!]! +
    HEX[b[7]!]! +
    '-' +
    HEX[b[8]!]! +
    HEX[b[9]!]! +
    '-' +
    HEX[b[10]!]! +
    HEX[b[11]!]! +
    HEX[b[12]!]! +
    HEX[b[13]!]! +
    HEX[b[14]!]! +
    HEX[b[15]!]!
  );
}
