import type { AggregateRoot, EventPublisher, IEvent } from '@nestjs/cqrs';
import { map, type Observable } from 'rxjs';
import type { DynamoEventStore } from '../core/event-store.js';
import { streamIdOf } from '../core/stream-id.js';
import type { AppendResult, EventMetadata, ReadStreamOptions } from '../core/types.js';
import type { AggregateFeature } from './aggregate-feature.js';
import { AggregateConfigurationError, AggregateNotLoadedError } from './errors.js';
import { EventClassRegistry } from './event-class-registry.js';
import type { EventEnvelope } from './event-envelope.js';

export interface SaveOptions {
  /** Stored with every event of this save. */
  readonly metadata?: EventMetadata;
}

interface StreamPosition {
  readonly id: string;
  readonly streamId: string;
  version: number;
}

/** Where each loaded aggregate stands in its stream, kept beside the aggregate so its class stays a plain AggregateRoot. */
const positions = new WeakMap<AggregateRoot, StreamPosition>();

/** Loads, saves and reads the history of one aggregate type. Inject it with @InjectAggregateRepository(Aggregate). */
export class AggregateRepository<T extends AggregateRoot> {
  readonly aggregateType: string;
  private readonly events: EventClassRegistry;
  private readonly construct: (id: string) => T;

  constructor(
    private readonly store: DynamoEventStore,
    private readonly publisher: EventPublisher,
    feature: AggregateFeature<T>,
  ) {
    this.aggregateType = feature.type ?? feature.aggregate.name;
    this.events = new EventClassRegistry(this.aggregateType, feature.events);
    this.construct = feature.create ?? ((id) => new feature.aggregate(id));
  }

  /**
   * The aggregate rebuilt from its whole history, at the version of its last event. An id with no stream gives a
   * new aggregate at version 0, so the same call serves "create" commands.
   */
  async load(id: string): Promise<T> {
    const aggregate = this.instantiate(id);
    const position = this.positionOf(aggregate);
    await this.history(id).forEach(({ event, version }) => {
      aggregate.loadFromHistory([event]);
      position.version = version;
    });
    return aggregate;
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

  /**
   * Appends the aggregate's uncommitted events in one atomic request at the version it was loaded at, then
   * publishes them on the EventBus. If the append fails nothing is published and the events stay uncommitted.
   */
  async save(aggregate: T, options: SaveOptions = {}): Promise<AppendResult> {
    const position = this.positionOf(aggregate);
    this.assertNotAutoCommit(aggregate);
    const events = [...aggregate.getUncommittedEvents()];
    if (events.length === 0)
      return { streamId: position.streamId, version: position.version, events: [] };

    const result = await this.store.appendToStream(
      position.streamId,
      position.version,
      events.map((event) => this.events.toNewEvent(event)),
      options,
    );
    position.version = result.version;
    publishSaved(aggregate, events);
    return result;
  }

  /** The aggregate's events in version order, paged lazily from DynamoDB; unsubscribe to stop reading. */
  history(id: string, options?: ReadStreamOptions): Observable<EventEnvelope> {
    return this.store.readStream(this.streamIdOf(id), options).pipe(
      map((stored) => ({
        aggregateId: id,
        streamId: stored.streamId,
        version: stored.version,
        type: stored.type,
        event: this.events.toEvent(stored),
        metadata: stored.metadata,
        eventId: stored.eventId,
        recordedAt: stored.recordedAt,
      })),
    );
  }

  private instantiate(id: string): T {
    const streamId = this.streamIdOf(id);
    const aggregate = this.publisher.mergeObjectContext(this.construct(id));
    this.assertNotAutoCommit(aggregate);
    positions.set(aggregate, { id, streamId, version: 0 });
    return aggregate;
  }

  private streamIdOf(id: string): string {
    return streamIdOf(this.aggregateType, id);
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

/** Publishes exactly the saved events, leaving any applied while the save was in flight uncommitted. */
function publishSaved(aggregate: AggregateRoot, saved: readonly IEvent[]): void {
  const uncommitted = aggregate.getUncommittedEvents();
  if (uncommitted.length === saved.length && saved.every((event, i) => uncommitted[i] === event)) {
    aggregate.commit();
    return;
  }
  aggregate.publishAll([...saved]);
  // @nestjs/cqrs hands out its live list of uncommitted events; drop only the saved ones from it.
  const unsaved = uncommitted.filter((event) => !saved.includes(event));
  uncommitted.splice(0, uncommitted.length, ...unsaved);
}
