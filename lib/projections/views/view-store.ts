import type { ViewDocument } from './view-document.js';

/** A stream whose events a projection stopped applying, after its handler kept failing on one of them. */
export interface ParkedEvent {
  readonly projection: string;
  readonly view: string;
  /** The document the event was to change. */
  readonly documentId: string;
  readonly streamId: string;
  /** The event that failed; the stream's later events wait behind it. */
  readonly version: number;
  readonly eventId: string;
  readonly eventType: string;
  /** The last error, as its name and message. */
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: Date;
}

/** Where a document stands: its data, and how far each source stream has been applied to it. */
export interface ViewDocumentState {
  /** Undefined when the document was never set, or was deleted. */
  readonly document?: ViewDocument;
  /** The last version applied to this document, for each stream that fed it. */
  readonly positions: Readonly<Record<string, number>>;
  /** Streams whose events wait behind a parked event, with the version parked. */
  readonly parked: Readonly<Record<string, number>>;
  /** Raised by every write: a write conditioned on it fails if another came first. */
  readonly revision: number;
}

/** Adds to number fields of a document, exactly once with the write it rides in; creates it if need be. */
export interface ViewIncrement {
  readonly id: string;
  readonly deltas: Readonly<Record<string, number>>;
}

/** One change to a document, written as a whole or not at all. */
export interface ViewWrite {
  readonly view: string;
  readonly id: string;
  /** The revision the change was computed from: 0 for a document that does not exist yet. */
  readonly expectedRevision: number;
  /** The new data; null deletes the data and keeps the positions, so that a redelivery cannot bring it back. */
  readonly document: ViewDocument | null;
  readonly positions: Readonly<Record<string, number>>;
  /** Other documents of the same view, changed in the same atomic write. */
  readonly increments?: readonly ViewIncrement[];
  /** The streams of this document that wait behind a parked event, all of them, as they are to be. */
  readonly parked: Readonly<Record<string, number>>;
  /** The entry `listParked` gives for a stream this write parks. */
  readonly parkedEvent?: ParkedEvent;
  /** A stream whose parked entry this write removes. */
  readonly unparkedStream?: string;
}

/** A value the projections keep about themselves (which generation is served, a rebuild's checkpoints). */
export interface StoredState<T> {
  readonly value: T;
  /** Raised by every write of the state. */
  readonly revision: number;
}

/**
 * The documents of projections' views, and their positions: the contract the DynamoDB view store and the in-memory
 * one keep alike. Reads are strongly consistent. Every write is conditioned on the revision it was computed from,
 * which is what makes applying an event exactly-once in effect: two writers that read the same revision cannot both
 * write.
 */
export interface ViewStore {
  read(view: string, id: string): Promise<ViewDocumentState | undefined>;

  /** `conflict` when the document's revision is no longer `expectedRevision`: nothing was written. */
  write(change: ViewWrite): Promise<'written' | 'conflict'>;

  /** The view's documents (deleted ones left out), in batches, in no particular order. */
  list(
    view: string,
  ): AsyncIterable<readonly { readonly id: string; readonly document: ViewDocument }[]>;

  /** Every parked stream, of one projection or of all. */
  listParked(projection?: string): Promise<ParkedEvent[]>;

  /** States by key, strongly consistent; the keys without one are left out. */
  readStates<T>(keys: readonly string[]): Promise<Map<string, StoredState<T>>>;

  /** `conflict` when the state's revision is no longer `expectedRevision` (0: it must not exist yet). */
  writeState<T>(key: string, value: T, expectedRevision: number): Promise<'written' | 'conflict'>;
}
