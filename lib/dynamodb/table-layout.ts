import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { MAX_STREAM_VERSION } from '../core/limits.js';

/**
 * The events table's layout: every attribute name the DynamoDB store reads or writes, in one place. One item per
 * event, partition key = stream, sort key = version; the highest sort key of each partition holds the stream's
 * latest snapshot. Names count in every item's size, and stay readable in the console.
 */
export const EVENT_TABLE_ATTRIBUTES = {
  /** S, partition key: the stream id. */
  streamId: 'streamId',
  /** N, sort key: the event's version, or SNAPSHOT_SORT_KEY for the snapshot. */
  version: 'version',
  /** S: the event type. */
  type: 'type',
  /** N: the schema version of the payload (events) or the state (snapshots). */
  schemaVersion: 'schemaVersion',
  /** S: the payload as JSON text. */
  payload: 'payload',
  /** S: the metadata as JSON text. */
  metadata: 'metadata',
  /** S: the event's unique id. */
  eventId: 'eventId',
  /** S: ISO-8601 time of the event (or of the snapshot). */
  recordedAt: 'recordedAt',
  /** N, snapshots only: the stream version the state reflects. */
  snapshotVersion: 'snapshotVersion',
  /** S, snapshots only: the state as JSON text. */
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
