import type { Observable } from 'rxjs';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  MultiStreamAppendOptions,
  NewEvent,
  ReadSnapshotOptions,
  ReadStreamOptions,
  SnapshotAndNewerEvents,
  StoredEvent,
  StoredIdempotencyKey,
  StreamAppend,
  StreamIdsPage,
  StreamSegment,
} from './types.js';

/**
 * Append-only event streams: the contract every store keeps (DynamoEventStore, InMemoryEventStore), and the one the
 * Nest layer depends on. Every read is strongly consistent: it sees every append that completed before it began.
 */
export interface EventStore {
  /**
   * Appends events after `expectedVersion` (0 for a new stream), all or none, with the snapshot if one is given.
   * Each version the events take must be free: a writer that read an older version gets ConcurrencyError and writes
   * nothing. The store does not read the stream first, so `expectedVersion` must be a version it read. Appending the
   * same events again (same ids) after they were stored is a success that writes nothing: that is how a retry after
   * EventStoreWriteError with outcome `unknown` stores them exactly once.
   */
  appendToStream(
    streamId: string,
    expectedVersion: number,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;

  /**
   * Appends to several streams in one atomic write: every stream's events (and snapshot) are written, or none are.
   * Each stream is held to its expected version as by appendToStream, and a conflict names the stream. DynamoDB's
   * limits hold over the whole write. With `idempotencyKey`, the key is stored in the same write, on condition that
   * it is free or expired: a key in use fails with IdempotencyKeyInUseError, and nothing is written. Appending the
   * same events and key again after they were stored is a success that writes nothing. With no streams, only the
   * key is stored: a command that decided to change nothing.
   */
  appendToStreams(
    appends: readonly StreamAppend[],
    options?: MultiStreamAppendOptions,
  ): Promise<AppendResult[]>;

  /** The command stored with this idempotency key, unless the key is free or has expired. */
  readIdempotencyKey(key: string): Promise<StoredIdempotencyKey | undefined>;

  /** The stream's events in version order, read when subscribed; unsubscribing stops the reading. */
  readStream(streamId: string, options?: ReadStreamOptions): Observable<StoredEvent>;

  /**
   * What rebuilding state needs of each event (version, type, schema version, payload), in version order, in
   * batches: nothing else is read or decoded.
   */
  readEventData(streamId: string, options?: ReadStreamOptions): AsyncIterable<readonly EventData[]>;

  /** The latest snapshot and the events after it; without a snapshot, the whole stream. */
  readSnapshotAndNewerEvents(
    streamId: string,
    options?: ReadSnapshotOptions,
  ): Promise<SnapshotAndNewerEvents>;

  /** The version of the stream's last event; 0 when the stream does not exist. */
  readStreamVersion(streamId: string): Promise<number>;

  /**
   * Every stream's id, once, in one segment of `segment.count`, page by page; what a rebuild lists. Streams created
   * while it reads may or may not be listed. No order: never rely on it for the order of events.
   */
  listStreams(segment: StreamSegment): AsyncIterable<StreamIdsPage>;

  /** About how many events the store holds, for a rebuild's ETA; undefined when it cannot tell. */
  estimateEventCount(): Promise<number | undefined>;
}
