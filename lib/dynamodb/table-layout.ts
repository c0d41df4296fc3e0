import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { MAX_STREAM_VERSION } from '../core/limits.js';

/**
 * The events table's layout: every attribute name the DynamoDB store reads or writes, in one place. One item per
 * event, partition key = stream, sort key = version; the highest sort key of each partition holds the stream's
 * latest snapshot. Names count in every item's size: short, and still readable in the console. A value that is
 * the default (schema version 1, no metadata) is left out.
 *
 * This is layout 2. Items of layout 1 (LAYOUT_1_ATTRIBUTES: longer names, the id and time as strings) still read:
 * the decoders take either, and every item is written in layout 2.
 */
export const EVENT_TABLE_ATTRIBUTES = {
  /** S, partition key: the stream id. */
  streamId: 'streamId',
  /** N, sort key: the event's version, or SNAPSHOT_SORT_KEY for the snapshot. */
  version: 'version',
  /** S: the event type. */
  type: 'type',
  /** N: the schema version of the payload (events) or the state (snapshots); absent when 1. */
  schemaVersion: 'schema',
  /** S: the payload as JSON text; B: that text compressed (COMPRESSED_JSON_FORMATS). */
  payload: 'data',
  /** S: the metadata as JSON text, but for its correlation and causation ids; absent when there is nothing else. */
  metadata: 'meta',
  /** S: the metadata's correlationId, when it is a string. */
  correlationId: 'corr',
  /** S: the metadata's causationId, when it is a string. */
  causationId: 'cause',
  /** B: the event's id as the 16 bytes of a UUID; S: any other id, as it was given. */
  eventId: 'id',
  /** N: the time of the event (or of the snapshot, or of the idempotency key), epoch milliseconds. */
  recordedAt: 'time',
  /** N, snapshots only: the stream version the state reflects. */
  snapshotVersion: 'snapshotVersion',
  /** S or B, snapshots only: the state, as the payload is. */
  state: 'state',
  /** S, idempotency keys only: the fingerprint of the command's request. */
  fingerprint: 'fingerprint',
  /** S, idempotency keys only: what the command answered, as JSON text. */
  result: 'result',
  /** S, idempotency keys only: the streams written and the ids of their events, as JSON text. */
  written: 'written',
  /** N, idempotency keys only: epoch seconds after which DynamoDB's TTL may delete the item. */
  expiresAt: 'expiresAt',
} as const;

/**
 * The names of layout 1 where layout 2 changed them, read and never written: schemaVersion (N, always there),
 * payload and metadata (S, JSON text), eventId (S) and recordedAt (S, ISO-8601).
 */
export const LAYOUT_1_ATTRIBUTES = {
  schemaVersion: 'schemaVersion',
  payload: 'payload',
  metadata: 'metadata',
  eventId: 'eventId',
  recordedAt: 'recordedAt',
} as const;

/** The first byte of a compressed JSON attribute (B): how the rest was compressed. */
export const COMPRESSED_JSON_FORMATS = { deflate: 1, brotli: 2 } as const;

export const PARTITION_KEY = EVENT_TABLE_ATTRIBUTES.streamId;
export const SORT_KEY = EVENT_TABLE_ATTRIBUTES.version;

/** The sort key of a stream's snapshot item: above every event version. */
export const SNAPSHOT_SORT_KEY = MAX_STREAM_VERSION + 1;

/**
 * An idempotency key is an item of its own partition, `#idempotency#<key>`, at sort key 0, below every event: no
 * stream made by streamIdOf starts with "#", and no event has version 0.
 */
export const IDEMPOTENCY_KEY_PARTITION_PREFIX = '#idempotency#';
export const IDEMPOTENCY_KEY_SORT_KEY = 0;

/** The attribute DynamoDB's Time to Live is enabled on: only idempotency keys have it. */
export const TIME_TO_LIVE_ATTRIBUTE = 'expiresAt';

/**
 * An item in DynamoDB's attribute-value form. The store's items are flat and of a fixed layout, so it writes and
 * reads this form itself: measured, the DocumentClient's generic conversion was the largest cost the library added
 * to a load or a save.
 */
export type WireItem = Record<string, AttributeValue>;
