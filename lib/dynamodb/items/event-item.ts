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
  // The ids most events carry get attributes of their own, 16 bytes each for a UUID; the rest stays JSON.
  const others: Record<string, unknown> = rest;
  if (typeof correlationId === 'string') item[A.correlationId] = idAttribute(correlationId);
  else if (correlationId !== undefined) others.correlationId = correlationId;
  if (typeof causationId === 'string') item[A.causationId] = idAttribute(causationId);
  else if (causationId !== undefined) others.causationId = causationId;
  const metadata = encodeJson(others, streamId, event.type, 'metadata');
  if (metadata !== '{}') item[A.metadata] = { S: metadata };
  return item;
}

export function toStoredEvent(item: WireItem): StoredEvent {
  // toEventData's fields written out rather than spread in: this runs once per event read.
  return {
    streamId: item[A.streamId]!.S!,
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
  const rest = json ? (decodeJson(json.S!) as EventMetadata) : undefined;
  const correlation = item[A.correlationId];
  const causation = item[A.causationId];
  if (!correlation && !causation) return rest ?? {};
  return {
    ...(correlation && { correlationId: idOf(correlation) }),
    ...(causation && { causationId: idOf(causation) }),
    ...rest,
  };
}

/** The attributes `eventIdOf` reads, in either layout. */
export const EVENT_ID_ATTRIBUTES = [A.eventId, L1.eventId] as const;

/** The id of the event an item holds; undefined for an item without one (a snapshot, an idempotency key). */
export function eventIdOf(item: WireItem): string | undefined {
  const id = item[A.eventId];
  return id ? idOf(id) : item[L1.eventId]?.S;
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

/** An id: a UUID in lower-case canonical form (what randomUUID gives) as its 16 bytes; any other as it is. */
function idAttribute(id: string): AttributeValue {
  return CANONICAL_UUID.test(id) ? { B: Buffer.from(id.replaceAll('-', ''), 'hex') } : { S: id };
}

/** The id `idAttribute` stored. */
function idOf({ B: bytes, S: text }: AttributeValue): string {
  if (bytes === undefined) return text!;
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
