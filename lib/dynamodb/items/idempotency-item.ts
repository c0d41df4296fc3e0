import type { IdempotencyKeyToStore, StoredIdempotencyKey } from '../../core/types.js';
import { decodeJson, encodeJson } from '../codec.js';
import { recordedAtOf } from './event-item.js';
import {
  EVENT_TABLE_ATTRIBUTES as A,
  LAYOUT_1_ATTRIBUTES as L1,
  IDEMPOTENCY_KEY_PARTITION_PREFIX,
  IDEMPOTENCY_KEY_SORT_KEY,
  type WireItem,
} from '../table-layout.js';

/** What an idempotency key records of the append it came with. */
export interface WrittenStreams {
  readonly streams: StoredIdempotencyKey['streams'];
  readonly eventIds: readonly string[];
}

export function idempotencyKeyPartition(key: string): string {
  return `${IDEMPOTENCY_KEY_PARTITION_PREFIX}${key}`;
}

/** The primary key of an idempotency key's item. */
function idempotencyKeyOf(key: string): WireItem {
  return {
    [A.streamId]: { S: idempotencyKeyPartition(key) },
    [A.version]: { N: String(IDEMPOTENCY_KEY_SORT_KEY) },
  };
}

export function toIdempotencyItem(
  { key, fingerprint, result, expiresAt }: IdempotencyKeyToStore,
  written: WrittenStreams,
  recordedAt: Date,
): WireItem {
  const where = idempotencyKeyPartition(key);
  return {
    ...idempotencyKeyOf(key),
    [A.fingerprint]: { S: fingerprint },
    [A.result]: { S: encodeJson(result ?? null, where, 'idempotency key', 'result') },
    [A.written]: { S: JSON.stringify(written) },
    [A.recordedAt]: { N: String(recordedAt.getTime()) },
    [A.expiresAt]: { N: String(Math.ceil(expiresAt.getTime() / 1000)) },
  };
}

/** The attributes `toStoredIdempotencyKey` reads. */
export const IDEMPOTENCY_KEY_ATTRIBUTES = [
  A.streamId,
  A.fingerprint,
  A.result,
  A.written,
  A.recordedAt,
  L1.recordedAt,
  A.expiresAt,
] as const;

export function toStoredIdempotencyKey(item: WireItem): StoredIdempotencyKey {
  const written = JSON.parse(item[A.written]!.S!) as WrittenStreams;
  return {
    key: item[A.streamId]!.S!.slice(IDEMPOTENCY_KEY_PARTITION_PREFIX.length),
    fingerprint: item[A.fingerprint]!.S!,
    result: decodeJson(item[A.result]!.S!),
    streams: written.streams,
    eventIds: written.eventIds,
    recordedAt: recordedAtOf(item),
    expiresAt: new Date(Number(item[A.expiresAt]!.N) * 1000),
  };
}

/** Whether a stored key is the one a write of this key alone (no events) with this fingerprint stores. */
export function isKeyOnlyWriteOf(item: WireItem, fingerprint: string): boolean {
  return (
    item[A.fingerprint]?.S === fingerprint &&
    (JSON.parse(item[A.written]!.S!) as WrittenStreams).eventIds.length === 0
  );
}

export function isIdempotencyItem(item: WireItem): boolean {
  return Number(item[A.version]?.N) === IDEMPOTENCY_KEY_SORT_KEY;
}

/** Whether a stored key has expired at `now`: it no longer holds, though DynamoDB's TTL may not have deleted it. */
export function hasExpired(item: WireItem, now: Date): boolean {
  return Number(item[A.expiresAt]?.N) * 1000 <= now.getTime();
}
