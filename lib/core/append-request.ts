import { randomUUID } from 'node:crypto';
import { EventSerializationError, InvalidAppendError } from './errors.js';
import { MAX_IDEMPOTENCY_KEY_BYTES, MAX_STREAM_VERSION } from './limits.js';
import { isPlainObject } from './plain-object.js';
import { assertValidStreamId } from './stream-id.js';
import type {
  AppendedEvent,
  AppendOptions,
  EventMetadata,
  IdempotencyKeyToStore,
  MultiStreamAppendOptions,
  NewEvent,
  NewSnapshot,
  StreamAppend,
} from './types.js';

/** An event ready to be written: its version, id, time and merged metadata decided. */
export interface PreparedEvent extends AppendedEvent {
  readonly payload: unknown;
}

/** An append whose arguments were checked, with everything a store writes decided. */
export interface PreparedAppend {
  readonly streamId: string;
  readonly expectedVersion: number;
  /** The stream's version once the append is written. */
  readonly version: number;
  readonly events: readonly PreparedEvent[];
  readonly snapshot?: NewSnapshot;
  readonly retry: boolean;
}

/** An append to several streams (or to none, with a key only), checked and stamped. */
export interface PreparedMultiAppend {
  readonly appends: readonly PreparedAppend[];
  readonly idempotencyKey?: IdempotencyKeyToStore;
  readonly retry: boolean;
}

const EMPTY_METADATA: EventMetadata = Object.freeze({});

/**
 * Checks an append's arguments and stamps its events, the same way for every store: each gets its version, an id
 * and a time (unless it has them) and its metadata over the append's. Throws a typed error, before anything is
 * written, for anything a store could not store as given.
 */
export function prepareAppend(
  streamId: string,
  expectedVersion: number,
  events: readonly NewEvent[],
  options: AppendOptions = {},
): PreparedAppend {
  assertValidStreamId(streamId);
  const refuse = (reason: string) => new InvalidAppendError(streamId, reason);
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw refuse(`expected version ${String(expectedVersion)} is not an integer ≥ 0`);
  }
  const isList: boolean = Array.isArray(events);
  if (!isList || events.length === 0) throw refuse('there are no events');
  const version = expectedVersion + events.length;
  if (version > MAX_STREAM_VERSION) {
    throw refuse(`version ${version} is beyond ${MAX_STREAM_VERSION}`);
  }
  const firstType: unknown = events[0]?.type;
  const appendMetadata = plainMetadata(
    streamId,
    typeof firstType === 'string' ? firstType : '(unnamed)',
    options.metadata,
    "the append's metadata",
  );
  const { snapshot } = options;
  if (snapshot !== undefined) {
    if (typeof snapshot !== 'object' || snapshot === null)
      throw refuse('the snapshot is not an object');
    if (!Number.isSafeInteger(snapshot.schemaVersion) || snapshot.schemaVersion < 1) {
      throw refuse(
        `the snapshot has schema version ${shown(snapshot.schemaVersion)}; it must be an integer ≥ 1`,
      );
    }
  }

  const now = new Date();
  const eventIds = new Set<string>();
  const prepared = events.map((event, index): PreparedEvent => {
    const which = `event ${index + 1} of ${events.length}`;
    if (typeof event !== 'object' || event === null) throw refuse(`${which} is not an object`);
    const { type, schemaVersion = 1, eventId = randomUUID(), recordedAt = now } = event;
    if (typeof type !== 'string' || type.length === 0) {
      throw refuse(`${which} has type ${shown(type)}; a type must be a non-empty string`);
    }
    if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
      throw refuse(
        `${which} ("${type}") has schema version ${shown(schemaVersion)}; it must be an integer ≥ 1`,
      );
    }
    if (typeof eventId !== 'string' || eventId.length === 0) {
      throw refuse(
        `${which} ("${type}") has event id ${shown(eventId)}; it must be a non-empty string`,
      );
    }
    if (eventIds.has(eventId)) throw refuse(`event id "${eventId}" is given to two events`);
    eventIds.add(eventId);
    if (!(recordedAt instanceof Date) || Number.isNaN(recordedAt.getTime())) {
      throw refuse(
        `${which} ("${type}") has recordedAt ${shown(recordedAt)}; it must be a valid Date`,
      );
    }
    const eventMetadata = plainMetadata(streamId, type, event.metadata, 'its metadata');
    return {
      version: expectedVersion + 1 + index,
      type,
      schemaVersion,
      payload: event.payload,
      metadata:
        eventMetadata || appendMetadata ? { ...appendMetadata, ...eventMetadata } : EMPTY_METADATA,
      eventId,
      recordedAt: new Date(recordedAt),
    };
  });
  return {
    streamId,
    expectedVersion,
    version,
    events: prepared,
    snapshot,
    retry: options.retry === true,
  };
}

function plainMetadata(
  streamId: string,
  eventType: string,
  metadata: unknown,
  whose: string,
): EventMetadata | undefined {
  if (metadata === undefined) return undefined;
  if (!isPlainObject(metadata)) {
    throw new EventSerializationError(
      streamId,
      eventType,
      `${whose} is ${shown(metadata)}; metadata must be a plain object`,
    );
  }
  return metadata;
}

function shown(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'object':
      return Array.isArray(value) ? 'an array' : `a ${value.constructor?.name ?? 'object'}`;
    default:
      return `a ${typeof value}`;
  }
}

/**
 * Checks an append to several streams as prepareAppend checks each of its parts, and the whole: at least one stream
 * (none only with an idempotency key), each stream once, and a usable key.
 */
export function prepareAppends(
  appends: readonly StreamAppend[],
  options: MultiStreamAppendOptions = {},
): PreparedMultiAppend {
  const { idempotencyKey } = options;
  const isList: boolean = Array.isArray(appends);
  const label = isList && appends.length > 0 ? streamsLabel(appends) : '(none)';
  if (!isList || (appends.length === 0 && idempotencyKey === undefined)) {
    throw new InvalidAppendError(label, 'there are no streams to append to');
  }
  const seen = new Set<string>();
  for (const { streamId } of appends) {
    if (seen.has(streamId)) {
      throw new InvalidAppendError(
        label,
        `stream "${streamId}" is given twice; give each stream once`,
      );
    }
    seen.add(streamId);
  }
  if (idempotencyKey !== undefined) checkIdempotencyKey(label, idempotencyKey);
  const retry = options.retry === true;
  return {
    appends: appends.map(({ streamId, expectedVersion, events, snapshot }) =>
      prepareAppend(streamId, expectedVersion, events, {
        metadata: options.metadata,
        snapshot,
        retry,
      }),
    ),
    idempotencyKey,
    retry,
  };
}

/** The streams of an append, as errors name them. */
export function streamsLabel(appends: readonly { readonly streamId: string }[]): string {
  return appends.map(({ streamId }) => streamId).join(', ');
}

function checkIdempotencyKey(
  label: string,
  { key, fingerprint, expiresAt }: IdempotencyKeyToStore,
): void {
  const refuse = (reason: string) => new InvalidAppendError(label, reason);
  if (typeof key !== 'string' || key.length === 0) {
    throw refuse(`idempotency key ${shown(key)} is not a non-empty string`);
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_IDEMPOTENCY_KEY_BYTES) {
    throw refuse(
      `idempotency key of ${bytes} bytes is beyond the limit of ${MAX_IDEMPOTENCY_KEY_BYTES}`,
    );
  }
  if (typeof fingerprint !== 'string' || fingerprint.length === 0) {
    throw refuse(
      `the fingerprint of idempotency key "${key}" is ${shown(fingerprint)}; it must be a non-empty string`,
    );
  }
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
    throw refuse(
      `idempotency key "${key}" expires at ${shown(expiresAt)}; it must be a valid Date`,
    );
  }
}
