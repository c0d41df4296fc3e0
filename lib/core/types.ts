/** Free-form data stored with an event: who, why, correlation. Must be JSON-serialisable. */
export type EventMetadata = Readonly<Record<string, unknown>>;

/** An event to append: its type name and plain-data payload. Class instances are stored as their JSON form. */
export interface NewEvent {
  readonly type: string;
  readonly payload: unknown;
  readonly metadata?: EventMetadata;
  /** Unique id of the event; generated when absent. */
  readonly eventId?: string;
}

/** An event as the store holds it. */
export interface StoredEvent<Payload = unknown> {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly payload: Payload;
  readonly metadata: EventMetadata;
  readonly eventId: string;
  readonly recordedAt: Date;
}

export interface AppendOptions {
  /** Merged into every event's metadata; an event's own metadata wins on a shared key. */
  readonly metadata?: EventMetadata;
}

export type AppendedEvent = Omit<StoredEvent, 'payload' | 'streamId'>;

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append: pass it as `expectedVersion` to append again. */
  readonly version: number;
  readonly events: readonly AppendedEvent[];
}

export interface ReadStreamOptions {
  /** First version to read, inclusive. Default 1. */
  readonly fromVersion?: number;
  /** Last version to read, inclusive. Default: the end of the stream. */
  readonly toVersion?: number;
}
