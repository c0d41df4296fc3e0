import { Observable, Subject } from '../core/observable.js';
import { type PreparedMultiAppend, prepareAppend, prepareAppends } from '../core/append-request.js';
import { ConcurrencyError, IdempotencyKeyInUseError } from '../core/errors.js';
import type { EventStore } from '../core/event-store.js';
import {
  checkedSegment,
  expectedNewerEventsOf,
  type VersionRange,
  versionRangeOf,
} from '../core/read-options.js';
import { assertValidStreamId } from '../core/stream-id.js';
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
} from '../core/types.js';
import { appendResultsOf } from '../dynamodb/items/append-results.js';
import { encodeAppends } from '../dynamodb/items/encode-append.js';
import {
  hasExpired,
  isKeyOnlyWriteOf,
  toStoredIdempotencyKey,
} from '../dynamodb/items/idempotency-item.js';
import {
  eventIdOf,
  type ItemEncoding,
  toEventData,
  toStoredEvent,
} from '../dynamodb/items/event-item.js';
import { type PayloadCompression, resolveCompression } from '../dynamodb/items/json-attribute.js';
import { snapshotVersionOf, toStoredSnapshot } from '../dynamodb/items/snapshot-item.js';
import type { WireItem } from '../dynamodb/table-layout.js';

export interface InMemoryEventStoreOptions {
  /**
   * Hold every append to DynamoDB's limits (100 events, 4 MB, 400 KB an event, counted on the very items the
   * DynamoDB store would write), so that a test meets them before production does. Default true.
   */
  readonly checkDynamoDBLimits?: boolean;
  /** As the DynamoDB store's: payloads and states over the threshold are held compressed. Default on, 1 KB. */
  readonly compression?: PayloadCompression | false;
}

interface Stream {
  /** In version order. */
  readonly events: { readonly version: number; readonly item: WireItem }[];
  readonly byVersion: Map<number, WireItem>;
  snapshot?: WireItem;
}

/**
 * The EventStore in this process's memory, with the DynamoDB store's semantics: the same checks and typed errors,
 * the same conditions (each version an append takes must be free; the same event ids again are a success that
 * writes nothing), snapshots kept only when newer, and DynamoDB's limits. It holds each event as the item the
 * DynamoDB store would write and reads it back through the same decoder, so a payload round-trips exactly as it
 * would there. For tests and for running without AWS; nothing is kept when the process ends.
 */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, Stream>();
  /** Every stored event, in the order the appends were written. */
  private readonly log: WireItem[] = [];
  private readonly idempotencyKeys = new Map<string, WireItem>();
  private readonly checkDynamoDBLimits: boolean;
  private readonly encoding: ItemEncoding;
  private readonly appends = new Subject<readonly StoredEvent[]>();

  /**
   * The events of every append, once written, in the order written: what the table's stream is to the DynamoDB
   * store, for the in-memory projections.
   */
  readonly appended: Observable<readonly StoredEvent[]> = this.appends.asObservable();

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.checkDynamoDBLimits = options.checkDynamoDBLimits ?? true;
    this.encoding = { compression: resolveCompression(options.compression) };
  }

  // Nothing below awaits: each append is checked and written in one synchronous step, so that appends racing from
  // concurrent callers meet the same conditions they would on DynamoDB.
  // eslint-disable-next-line @typescript-eslint/require-await
  async appendToStream(
    streamId: string,
    expectedVersion: number,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const append = prepareAppend(streamId, expectedVersion, events, options);
    return this.write({ appends: [append], retry: append.retry })[0]!;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async appendToStreams(
    appends: readonly StreamAppend[],
    options: MultiStreamAppendOptions = {},
  ): Promise<AppendResult[]> {
    return this.write(prepareAppends(appends, options));
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async readIdempotencyKey(key: string): Promise<StoredIdempotencyKey | undefined> {
    const item = this.idempotencyKeys.get(key);
    return item && !hasExpired(item, new Date()) ? toStoredIdempotencyKey(item) : undefined;
  }

  /** Checks every condition of the write, as DynamoDB does, then writes all of it or nothing. */
  private write(prepared: PreparedMultiAppend): AppendResult[] {
    const encoded = encodeAppends(prepared, this.encoding, this.checkDynamoDBLimits);
    const results = appendResultsOf(prepared, encoded);
    const { appends, idempotencyKey } = prepared;
    const eventIds = appends.flatMap(({ events }) => events.map(({ eventId }) => eventId));
    const streams = appends.map(
      ({ streamId }): Stream => this.streams.get(streamId) ?? { events: [], byVersion: new Map() },
    );
    const taken = appends.map(({ events }, index) =>
      events.map(({ version }) => streams[index]!.byVersion.get(version)),
    );
    const storedKey = idempotencyKey && this.idempotencyKeys.get(idempotencyKey.key);
    const keyHeld = storedKey !== undefined && !hasExpired(storedKey, new Date());

    const ours =
      appends.length > 0
        ? appends.every(({ events }, index) =>
            events.every((event, at) => {
              const item = taken[index]![at];
              return item !== undefined && eventIdOf(item) === event.eventId;
            }),
          )
        : keyHeld && isKeyOnlyWriteOf(storedKey, idempotencyKey!.fingerprint);
    if (ours) return results;
    for (const [index, { streamId, expectedVersion, events }] of appends.entries()) {
      const found = events.find(
        (event, at) =>
          taken[index]![at] !== undefined && eventIdOf(taken[index]![at]) !== event.eventId,
      );
      if (found) throw new ConcurrencyError(streamId, expectedVersion, found.version, { eventIds });
    }
    if (keyHeld) {
      throw new IdempotencyKeyInUseError(idempotencyKey!.key, toStoredIdempotencyKey(storedKey));
    }
    for (const [index, { streamId, expectedVersion, version }] of appends.entries()) {
      const { snapshot } = streams[index]!;
      if (
        encoded.appends[index]!.snapshotItem &&
        snapshot &&
        snapshotVersionOf(snapshot) >= version
      ) {
        throw new ConcurrencyError(streamId, expectedVersion, undefined, { eventIds });
      }
    }

    const written: WireItem[] = [];
    for (const [index, { streamId, events }] of appends.entries()) {
      const stream = streams[index]!;
      const { eventItems, snapshotItem } = encoded.appends[index]!;
      const outOfOrder = (stream.events.at(-1)?.version ?? 0) > events.at(-1)!.version;
      eventItems.forEach((item, at) => {
        const { version } = events[at]!;
        stream.events.push({ version, item });
        stream.byVersion.set(version, item);
        this.log.push(item);
        written.push(item);
      });
      if (outOfOrder) stream.events.sort((x, y) => x.version - y.version);
      if (snapshotItem) stream.snapshot = snapshotItem;
      this.streams.set(streamId, stream);
    }
    if (idempotencyKey && encoded.idempotencyItem) {
      this.idempotencyKeys.set(idempotencyKey.key, encoded.idempotencyItem);
    }
    if (written.length > 0) this.appends.next(written.map((item) => toStoredEvent(item)));
    return results;
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      try {
        for (const item of this.itemsIn(streamId, versionRangeOf(streamId, options))) {
          subscriber.next(toStoredEvent(item));
          if (subscriber.closed) return;
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    });
  }

  // A generator of one batch: the interface's shape, with nothing to wait for.
  // eslint-disable-next-line @typescript-eslint/require-await
  async *readEventData(
    streamId: string,
    options: ReadStreamOptions = {},
  ): AsyncGenerator<readonly EventData[]> {
    const items = this.itemsIn(streamId, versionRangeOf(streamId, options));
    if (items.length > 0) yield items.map(toEventData);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async readSnapshotAndNewerEvents(
    streamId: string,
    options: ReadSnapshotOptions = {},
  ): Promise<SnapshotAndNewerEvents> {
    expectedNewerEventsOf(streamId, options);
    const stream = this.streams.get(streamId);
    const snapshotItem = stream?.snapshot;
    const after = snapshotItem ? snapshotVersionOf(snapshotItem) : 0;
    const events = (stream?.events ?? [])
      .filter(({ version }) => version > after)
      .map(({ item }) => toEventData(item));
    return snapshotItem ? { snapshot: toStoredSnapshot(snapshotItem), events } : { events };
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async readStreamVersion(streamId: string): Promise<number> {
    assertValidStreamId(streamId);
    return this.streams.get(streamId)?.events.at(-1)?.version ?? 0;
  }

  /** The segment's streams in one page; a segment read once before (`after` given) has nothing more. */
  // eslint-disable-next-line @typescript-eslint/require-await
  async *listStreams({ index, count, after }: StreamSegment): AsyncGenerator<StreamIdsPage> {
    checkedSegment({ index, count, after });
    if (after !== undefined) return;
    yield {
      streamIds: [...this.streams.keys()].filter(
        (streamId) => segmentOf(streamId, count) === index,
      ),
    };
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async estimateEventCount(): Promise<number> {
    return this.log.length;
  }

  /** Every stored event of every stream, in the order they were appended: for assertions in tests. */
  allEvents(): StoredEvent[] {
    return this.log.map((item) => toStoredEvent(item));
  }

  /** Forgets every stream. */
  clear(): void {
    this.streams.clear();
    this.log.length = 0;
    this.idempotencyKeys.clear();
  }

  private itemsIn(streamId: string, { fromVersion, toVersion }: VersionRange): WireItem[] {
    return (this.streams.get(streamId)?.events ?? [])
      .filter(({ version }) => version >= fromVersion && version <= toVersion)
      .map(({ item }) => item);
  }
}

/** A stream's segment, by a hash of its id (FNV-1a): stable, and spread evenly. */
function segmentOf(streamId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < streamId.length; i++) {
    hash ^= streamId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
}
