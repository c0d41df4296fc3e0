import { Logger, type Type } from '@nestjs/common';
import type { AggregateRoot, EventPublisher, IEvent } from '@nestjs/cqrs';
import { map, type Observable } from 'rxjs';
import { EventStoreWriteError } from '../core/errors.js';
import type { EventStore } from '../core/event-store.js';
import { streamIdOf } from '../core/stream-id.js';
import type {
  AppendResult,
  EventData,
  EventMetadata,
  NewEvent,
  NewSnapshot,
  ReadStreamOptions,
  StreamAppend,
} from '../core/types.js';
import type { AggregateFeature } from './aggregate-feature.js';
import {
  AggregateConfigurationError,
  AggregateNotLoadedError,
  CommitBeforeSaveError,
  UnknownEventTypeError,
  UnregisteredEventError,
} from './errors.js';
import { attachEnvelope, type EventEnvelope } from './event-envelope.js';
import { identityOf } from './event-identity.js';
import { EventMetadataContext } from './event-metadata-context.js';
import { sendAgainWhileUnknown } from './send-again-while-unknown.js';
import { publishSaved, refuseCommitBeforeSave } from './saved-event-publishing.js';
import type { EventTypeRegistry, RegisteredEventType } from './event-type-registry.js';
import { SnapshotPolicy } from './snapshot-policy.js';
import { SPAN_ATTRIBUTES as SPAN } from '../telemetry/span-attributes.js';
import { tracedObservable } from '../telemetry/traced-observable.js';
import { NO_TRACING, type SpanAttributes, type Tracing } from '../telemetry/tracing.js';

export interface SaveOptions {
  /** Stored with every event of this save, over the metadata of the current command's context. */
  readonly metadata?: EventMetadata;
}

/** An aggregate's save, prepared: its append, and what is done once it is written or has failed. */
export interface PreparedSave {
  readonly append: StreamAppend;
  /** An earlier save of these events ended with an unknown outcome: they may be stored already. */
  readonly mayBeStored: boolean;
  /** The result of a save with no events. */
  readonly unchanged: AppendResult;
  /** Marks the events as maybe stored when the failure leaves that unknown. */
  failed(error: unknown): void;
  /** Moves the aggregate to its new version and gives the events their envelopes; `publish` publishes them. */
  complete(result: AppendResult): { readonly result: AppendResult; publish(): void };
}

interface StreamPosition {
  readonly id: string;
  readonly streamId: string;
  version: number;
  /** The version of the snapshot the aggregate was loaded from or last saved with; 0 if none. */
  snapshotVersion: number;
}

/** Where each loaded aggregate stands in its stream, kept beside the aggregate so its class stays a plain AggregateRoot. */
const positions = new WeakMap<AggregateRoot, StreamPosition>();
/** The repository each aggregate was loaded or created with: the one that prepares its save in a UnitOfWork. */
const repositories = new WeakMap<AggregateRoot, AggregateRepository<AggregateRoot>>();

/** The repository the aggregate was loaded or created with; undefined for an aggregate of none. */
export function repositoryOf(
  aggregate: AggregateRoot,
): AggregateRepository<AggregateRoot> | undefined {
  return repositories.get(aggregate);
}

/** Loads, saves and reads the history of one aggregate type. Inject it with @InjectAggregateRepository(Aggregate). */
export class AggregateRepository<T extends AggregateRoot> {
  readonly aggregateType: string;
  private readonly eventTypes: ReadonlyMap<Type<IEvent>, RegisteredEventType>;
  private readonly snapshots: SnapshotPolicy<T> | undefined;
  private readonly construct: (id: string) => T;
  private readonly logger = new Logger('AggregateRepository');

  constructor(
    private readonly store: EventStore,
    private readonly registry: EventTypeRegistry,
    private readonly publisher: EventPublisher,
    feature: AggregateFeature<T>,
    private readonly tracing: Tracing = NO_TRACING,
  ) {
    this.aggregateType = feature.type ?? feature.aggregate.name;
    this.eventTypes = new Map(
      registry
        .register(this.aggregateType, feature.events)
        .map((eventType) => [eventType.eventClass, eventType]),
    );
    this.snapshots =
      feature.snapshot &&
      new SnapshotPolicy(this.aggregateType, feature.aggregate, feature.snapshot);
    this.construct = feature.create ?? ((id) => new feature.aggregate(id));
  }

  /**
   * The aggregate at the version of its last event. With a snapshot policy, one read gives the latest snapshot and
   * the events after it; without, the whole history is replayed. An id with no stream gives a new aggregate at
   * version 0, so the same call serves "create" commands.
   */
  async load(id: string): Promise<T> {
    return this.tracing.inSpan(
      `load ${this.aggregateType}`,
      { attributes: this.spanAttributesOf(id) },
      async (span) => {
        const aggregate = (await this.loadFromSnapshot(id)) ?? (await this.replay(id));
        const { version, snapshotVersion } = this.positionOf(aggregate);
        span.setAttributes({
          [SPAN.version]: version,
          [SPAN.eventCount]: version - snapshotVersion,
          [SPAN.snapshotVersion]: snapshotVersion || undefined,
        });
        return aggregate;
      },
    );
  }

  /** A new aggregate at version 0, without reading. Saving it fails with ConcurrencyError if the stream exists. */
  create(id: string): T {
    return this.instantiate(id);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.store.readStreamVersion(this.streamIdOf(id))) > 0;
  }

  /** The version of the aggregate's stream as of its last load or save; 0 for a new aggregate. */
  versionOf(aggregate: T): number {
    return this.positionOf(aggregate).version;
  }

  idOf(aggregate: T): string {
    return this.positionOf(aggregate).id;
  }

  /** The stream that holds the events of the aggregate with this id. */
  streamIdOf(id: string): string {
    return streamIdOf(this.aggregateType, id);
  }

  /**
   * Appends the aggregate's uncommitted events in one atomic write at the version it was loaded at, with a snapshot
   * when the policy asks for one, then publishes them on the EventBus. If the append fails nothing is published and
   * the events stay uncommitted: saving the aggregate again stores them exactly once. Inside retryOnConflict (or
   * @RetryOnConflict), a save whose outcome is unknown is sent again, the same events, before it fails.
   */
  async save(aggregate: T, options: SaveOptions = {}): Promise<AppendResult> {
    const { id, version } = this.positionOf(aggregate);
    const eventCount = aggregate.getUncommittedEvents().length;
    if (eventCount === 0) {
      const staged = this.prepareSave(aggregate, options);
      return staged.complete(staged.unchanged).result;
    }
    const attributes = {
      ...this.spanAttributesOf(id),
      [SPAN.expectedVersion]: version,
      [SPAN.eventCount]: eventCount,
    };
    // Prepared inside the span, so that the events carry its trace context.
    const completed = await this.tracing.inSpan(
      `save ${this.aggregateType}`,
      { attributes },
      async (span) => {
        const staged = this.prepareSave(aggregate, options);
        const { streamId, expectedVersion, events, snapshot } = staged.append;
        const result = await sendAgainWhileUnknown(
          (retry) =>
            this.store.appendToStream(streamId, expectedVersion, events, { snapshot, retry }),
          staged,
        );
        span.setAttributes({
          [SPAN.version]: result.version,
          [SPAN.snapshotWritten]: result.snapshotWritten,
        });
        return staged.complete(result);
      },
    );
    completed.publish();
    return completed.result;
  }

  /**
   * The aggregate's save, ready to be written (by save(), or by a UnitOfWork with others in one write): its
   * append, and what to do once it is written or has failed.
   */
  prepareSave(aggregate: T, options: SaveOptions = {}): PreparedSave {
    const position = this.positionOf(aggregate);
    this.assertNotAutoCommit(aggregate);
    const events = [...aggregate.getUncommittedEvents()];
    const metadata = {
      ...EventMetadataContext.current(),
      ...this.tracing.traceContextMetadata(),
      ...options.metadata,
    };
    const toAppend = events.map((event) => {
      const newEvent = this.toNewEvent(event);
      return { ...newEvent, metadata: { ...metadata, ...newEvent.metadata } };
    });
    const eventIdentities = events.map(identityOf);
    return {
      append: {
        streamId: position.streamId,
        expectedVersion: position.version,
        events: toAppend,
        snapshot:
          events.length > 0
            ? this.snapshotFor(aggregate, position, position.version + events.length)
            : undefined,
      },
      mayBeStored: eventIdentities.some((identity) => identity.mayBeStored),
      unchanged: {
        streamId: position.streamId,
        version: position.version,
        events: [],
        snapshotWritten: false,
      },
      failed: (error) => {
        if (error instanceof EventStoreWriteError && error.outcome === 'unknown') {
          for (const identity of eventIdentities) identity.mayBeStored = true;
        }
      },
      complete: (result) => {
        if (events.length === 0) return { result, publish: () => undefined };
        position.version = result.version;
        if (result.snapshotWritten) position.snapshotVersion = result.version;
        if (result.snapshotSkipped) {
          this.logger.warn(
            `${position.streamId} at version ${result.version}: ${result.snapshotSkipped.reason}`,
          );
        }
        result.events.forEach(({ version, type, metadata, eventId, recordedAt }, index) =>
          attachEnvelope({
            aggregateId: position.id,
            streamId: position.streamId,
            version,
            type,
            event: events[index]!,
            metadata,
            eventId,
            recordedAt,
          }),
        );
        return { result, publish: () => publishSaved(aggregate, events) };
      },
    };
  }

  /** The aggregate's events in version order, read lazily from the store; unsubscribe to stop reading. */
  history(id: string, options?: ReadStreamOptions): Observable<EventEnvelope> {
    const envelopes = this.store
      .readStream(this.streamIdOf(id), options)
      .pipe(
        map((stored) => this.registry.toEnvelope(stored, this.ownTypeOf(stored.streamId, stored))),
      );
    return tracedObservable(
      this.tracing,
      `history ${this.aggregateType}`,
      { attributes: this.spanAttributesOf(id) },
      envelopes,
    );
  }

  private spanAttributesOf(id: string): SpanAttributes {
    return {
      [SPAN.aggregateType]: this.aggregateType,
      [SPAN.aggregateId]: id,
      [SPAN.streamId]: this.streamIdOf(id),
    };
  }

  private async replay(id: string): Promise<T> {
    const aggregate = this.instantiate(id);
    const position = this.positionOf(aggregate);
    for await (const batch of this.store.readEventData(position.streamId)) {
      this.apply(aggregate, position, batch);
    }
    return aggregate;
  }

  /** Applies events read from the stream and moves the aggregate to the last one's version. */
  private apply(aggregate: T, position: StreamPosition, events: readonly EventData[]): void {
    if (events.length === 0) return;
    aggregate.loadFromHistory(
      events.map((event) =>
        this.registry.toEvent(position.streamId, event, this.ownTypeOf(position.streamId, event)),
      ),
    );
    position.version = events.at(-1)!.version;
  }

  /** The aggregate from its latest snapshot and the events after it; undefined when the snapshot is unusable. */
  private async loadFromSnapshot(id: string): Promise<T | undefined> {
    if (!this.snapshots) return undefined;
    const streamId = this.streamIdOf(id);
    const { snapshot, unreadableSnapshot, events } = await this.store.readSnapshotAndNewerEvents(
      streamId,
      { expectedNewerEvents: this.snapshots.readLimit - 1 },
    );
    const aggregate = this.instantiate(id);
    const position = this.positionOf(aggregate);
    const unusable = (reason: string) => {
      this.logger.warn(
        `Ignoring the snapshot of ${streamId} and replaying its whole history: ${reason}. ` +
          'The next save the snapshot policy selects writes a fresh one.',
      );
      return undefined;
    };
    if (unreadableSnapshot) return unusable(`it cannot be read (${unreadableSnapshot.message})`);
    if (snapshot) {
      const outcome = this.snapshots.restoreInto(aggregate, snapshot);
      if ('reason' in outcome) return unusable(outcome.reason);
      position.version = position.snapshotVersion = snapshot.version;
    }
    this.apply(aggregate, position, events);
    return aggregate;
  }

  private snapshotFor(
    aggregate: T,
    position: StreamPosition,
    toVersion: number,
  ): NewSnapshot | undefined {
    const decision = {
      fromVersion: position.version,
      toVersion,
      snapshotVersion: position.snapshotVersion,
    };
    if (!this.snapshots?.shouldSnapshot(decision)) return undefined;
    try {
      return this.snapshots.snapshotOf(aggregate);
    } catch (error) {
      this.logger.warn(
        `No snapshot of ${position.streamId} at version ${toVersion}: taking it threw ` +
          `(${(error as Error).message}). The events are saved without it.`,
      );
      return undefined;
    }
  }

  private toNewEvent(event: IEvent): NewEvent & { eventId: string; recordedAt: Date } {
    const eventType = this.registry.typeOf(event);
    if (!eventType || !this.eventTypes.has(eventType.eventClass)) {
      const prototype: unknown =
        typeof event === 'object' && event !== null ? Object.getPrototypeOf(event) : undefined;
      const name =
        (prototype as { constructor?: { name?: string } } | undefined)?.constructor?.name ??
        typeof event;
      throw new UnregisteredEventError(this.aggregateType, name);
    }
    const { eventId, recordedAt } = identityOf(event);
    return { ...this.registry.toNewEvent(event, eventType), eventId, recordedAt };
  }

  /** The registered type of a stored event, if it is one of this aggregate's. */
  private ownTypeOf(streamId: string, stored: EventData): RegisteredEventType {
    const eventType = this.registry.typeNamed(stored.type);
    if (!eventType || !this.eventTypes.has(eventType.eventClass)) {
      throw new UnknownEventTypeError(streamId, stored.type, stored.version, this.aggregateType);
    }
    return eventType;
  }

  private instantiate(id: string): T {
    const streamId = this.streamIdOf(id);
    const aggregate = this.publisher.mergeObjectContext(this.construct(id));
    this.assertNotAutoCommit(aggregate);
    positions.set(aggregate, { id, streamId, version: 0, snapshotVersion: 0 });
    repositories.set(aggregate, this as unknown as AggregateRepository<AggregateRoot>);
    refuseCommitBeforeSave(
      aggregate,
      (unsaved) => new CommitBeforeSaveError(this.aggregateType, id, unsaved),
    );
    return aggregate;
  }

  private positionOf(aggregate: T): StreamPosition {
    const position = positions.get(aggregate);
    if (!position) throw new AggregateNotLoadedError(this.aggregateType);
    return position;
  }

  private assertNotAutoCommit(aggregate: T): void {
    if (aggregate.autoCommit) {
      throw new AggregateConfigurationError(
        `Aggregate "${this.aggregateType}" has autoCommit on, which publishes each event as it is applied, ` +
          'before it is saved. Turn autoCommit off: the repository publishes events once they are stored.',
      );
    }
  }
}
