/**
 * Data stored with an event: correlation and causation ids, and any keys of the caller's (who, why). A plain object
 * of JSON data.
 */
export interface EventMetadata {
  /** Shared by every event that followed from one original request. */
  readonly correlationId?: string;
  /** The id of the command (or message) that produced the event. */
  readonly causationId?: string;
  readonly [key: string]: unknown;
}

/** An event to append: its type name and plain-data payload. Class instances are stored as their JSON form. */
export interface NewEvent {
  /** A non-empty name, e.g. the event's class name. */
  readonly type: string;
  readonly payload: unknown;
  /** The version of the payload's schema, for upcasting when it changes: a positive integer. Default 1. */
  readonly schemaVersion?: number;
  /** A plain object, merged over the append's metadata. */
  readonly metadata?: EventMetadata;
  /**
   * Unique id of the event; generated when absent. Pass the same id when retrying an append whose outcome is
   * unknown: that makes the retry exactly-once.
   */
  readonly eventId?: string;
  /** When the event happened; now when absent. Keep it with the id when retrying an append. */
  readonly recordedAt?: Date;
}

/** What rebuilding state from an event needs of it. */
export interface EventData<Payload = unknown> {
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly payload: Payload;
}

/** An event as the store holds it. */
export interface StoredEvent<Payload = unknown> extends EventData<Payload> {
  readonly streamId: string;
  readonly metadata: EventMetadata;
  readonly eventId: string;
  readonly recordedAt: Date;
}

/** The state of an aggregate as of the last event of an append, stored with that append. */
export interface NewSnapshot {
  readonly state: unknown;
  /** The version of the state's schema; a snapshot of another schema version is not restored. */
  readonly schemaVersion: number;
}

export interface StoredSnapshot<State = unknown> {
  readonly streamId: string;
  /** The stream version the state reflects: events after it are newer than the snapshot. */
  readonly version: number;
  readonly schemaVersion: number;
  readonly state: State;
}

export interface AppendOptions {
  /** Merged into every event's metadata; an event's own metadata wins on a shared key. A plain object. */
  readonly metadata?: EventMetadata;
  /**
   * Written in the same atomic write as the events, at the version of the last one, unless the stored snapshot is
   * as new. It is left out, and the events still written, if it would take the append over a limit.
   */
  readonly snapshot?: NewSnapshot;
  /**
   * Set when these events (same ids, same expected version) were appended before and that append may have been
   * written: it failed with EventStoreWriteError of outcome `unknown`. A failure of this append is then never
   * reported as `not-written`, since the earlier one may yet have landed.
   */
  readonly retry?: boolean;
}

/** One stream's part of an append to several streams, written all or none. */
export interface StreamAppend {
  readonly streamId: string;
  /** The version the stream was read at: 0 for a new stream. */
  readonly expectedVersion: number;
  readonly events: readonly NewEvent[];
  /** As in AppendOptions: written with the events unless the stored one is as new; left out over a limit. */
  readonly snapshot?: NewSnapshot;
}

/** What an append stores of the command it carries out, so that a repeat of the command does nothing. */
export interface IdempotencyKeyToStore {
  /** The caller's key for the command: a non-empty string of at most 1,024 bytes. */
  readonly key: string;
  /** A fingerprint of the command's request: the same key with another fingerprint is another request. */
  readonly fingerprint: string;
  /** What the command answered, as JSON data: given back to a repeat. */
  readonly result?: unknown;
  /** When the key may be used again, and DynamoDB's TTL may delete it. */
  readonly expiresAt: Date;
}

/** A command's idempotency key as stored, with what its append wrote. */
export interface StoredIdempotencyKey {
  readonly key: string;
  readonly fingerprint: string;
  readonly result: unknown;
  /** Each stream the append wrote, at its version after the append. */
  readonly streams: readonly { readonly streamId: string; readonly version: number }[];
  /** The ids of the events the append wrote, in order. */
  readonly eventIds: readonly string[];
  readonly recordedAt: Date;
  readonly expiresAt: Date;
}

export interface MultiStreamAppendOptions {
  /** Merged into every event's metadata, in every stream; an event's own metadata wins on a shared key. */
  readonly metadata?: EventMetadata;
  /** As in AppendOptions: these appends may have been written by an earlier attempt whose outcome was unknown. */
  readonly retry?: boolean;
  /** Stored in the same transaction, conditioned on the key being free (or expired). */
  readonly idempotencyKey?: IdempotencyKeyToStore;
}

export type AppendedEvent = Omit<StoredEvent, 'payload' | 'streamId'>;

/** Why a snapshot that was asked for was not written, while the events were. */
export interface SkippedSnapshot {
  /** A sentence that says what happened and why. */
  readonly reason: string;
  /** The limit the snapshot would have broken, when that is why. */
  readonly limit?: AppendLimit;
  readonly maximum?: number;
  readonly found?: number;
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append: pass it as `expectedVersion` to append again. */
  readonly version: number;
  readonly events: readonly AppendedEvent[];
  /** Whether a snapshot was written with the events. */
  readonly snapshotWritten: boolean;
  /** Why a snapshot that was asked for was left out. */
  readonly snapshotSkipped?: SkippedSnapshot;
}

/** Limits a single append is held to: DynamoDB's, with every store. */
export type AppendLimit = 'events per save' | 'bytes per save' | 'bytes per event';

export interface ReadStreamOptions {
  /** First version to read, inclusive: an integer ≥ 1. Default 1. */
  readonly fromVersion?: number;
  /** Last version to read, inclusive: an integer ≥ fromVersion. Default: the end of the stream. */
  readonly toVersion?: number;
}

export interface ReadSnapshotOptions {
  /**
   * About how many events are expected after the latest snapshot (a snapshot every N events: N - 1 at most), so
   * that a store can read the snapshot and those events in one go. A hint: more events cost more reads, never a
   * wrong result. Default 99.
   */
  readonly expectedNewerEvents?: number;
}

export interface SnapshotAndNewerEvents {
  /** The latest snapshot, if the stream has one. */
  readonly snapshot?: StoredSnapshot;
  /** Why the stored snapshot could not be read, when it could not (its state is not JSON). */
  readonly unreadableSnapshot?: Error;
  /** The events after the snapshot (the whole stream without one), in version order. */
  readonly events: readonly EventData[];
}

/** One of the disjoint parts the stream ids are split into, so that a rebuild reads them in parallel. */
export interface StreamSegment {
  /** From 0 to count - 1. */
  readonly index: number;
  /** How many parts: from 1 to 1,000,000. */
  readonly count: number;
  /** Where an earlier read of this part stopped (a page's `resumeAfter`), to go on from there. */
  readonly after?: string;
}

/** A page of stream ids, in no particular order. */
export interface StreamIdsPage {
  readonly streamIds: readonly string[];
  /** Where to go on after this page; undefined once the segment is read to its end. */
  readonly resumeAfter?: string;
}
