/**
 * Data stored with an event: correlation and causation ids, and any keys of the caller's (who, why). Must be
 * JSON-serialisable.
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
  readonly type: string;
  readonly payload: unknown;
  /** The version of the payload's schema, for upcasting when it changes. Default 1. */
  readonly schemaVersion?: number;
  readonly metadata?: EventMetadata;
  /**
   * Unique id of the event; generated when absent. Pass the same id when retrying a save whose outcome is unknown:
   * that makes the retry exactly-once.
   */
  readonly eventId?: string;
  /** When the event happened; now when absent. Keep it with the id when retrying a save. */
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

/** The state of an aggregate as of the last event of a save, stored with that save. */
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
  /** Merged into every event's metadata; an event's own metadata wins on a shared key. */
  readonly metadata?: EventMetadata;
  /**
   * Written in the same request as the events, at the version of the last one, unless the stored snapshot is as
   * new. It is left out, and the events still written, if it would take the save over a DynamoDB limit.
   */
  readonly snapshot?: NewSnapshot;
}

export type AppendedEvent = Omit<StoredEvent, 'payload' | 'streamId'>;

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append: pass it as `expectedVersion` to append again. */
  readonly version: number;
  readonly events: readonly AppendedEvent[];
  /** Whether a snapshot was written with the events. */
  readonly snapshotWritten: boolean;
  /** Why a snapshot that was asked for was left out. */
  readonly snapshotSkipped?: Error;
}

export interface ReadStreamOptions {
  /** First version to read, inclusive. Default 1. */
  readonly fromVersion?: number;
  /** Last version to read, inclusive. Default: the end of the stream. */
  readonly toVersion?: number;
}

export interface SnapshotAndNewerEvents {
  /** The latest snapshot, if the stream has one. */
  readonly snapshot?: StoredSnapshot;
  /** Why the stored snapshot could not be read, when it could not (its state is not JSON). */
  readonly unreadableSnapshot?: Error;
  /** The events after the snapshot (the whole stream without one), in version order. */
  readonly events: readonly EventData[];
}
