import { setTimeout as sleep } from 'node:timers/promises';
import type { Type } from '@nestjs/common';
import type { IEvent } from '@nestjs/cqrs';
import { from, lastValueFrom, mergeMap, take, toArray } from 'rxjs';
import { EventStoreError } from '../core/errors.js';
import type { EventStore } from '../core/event-store.js';
import type { StoredEvent } from '../core/types.js';
import { AggregateConfigurationError } from '../nest/errors.js';
import type { EventTypeRegistry, RegisteredEventType } from '../nest/event-type-registry.js';
import type { ProjectionDefinition, ProjectionEventHandler } from './projection.js';
import { SPAN_ATTRIBUTES as SPAN } from '../telemetry/span-attributes.js';
import { NO_TRACING, type OperationSpanOptions, type Tracing } from '../telemetry/tracing.js';
import { ViewChanges } from './view-changes.js';
import type { ParkedEvent, ViewStore } from './views/view-store.js';

export interface ProjectionProcessorOptions {
  readonly eventStore: EventStore;
  readonly registry: EventTypeRegistry;
  readonly views: ViewStore;
  readonly projections: readonly ProjectionDefinition[];
  /** Attempts of a handler on one event, the first included, before the event is parked. Default 3. */
  readonly handlerAttempts?: number;
  /** Milliseconds to wait before handler retry number `attempt` (1, 2, …). Default 100 × 2^(attempt - 1). */
  readonly handlerBackoff?: (attempt: number) => number;
  /** Streams applied at once. Default 8. */
  readonly concurrency?: number;
  /**
   * What to do with an event whose handler kept failing: `park` it (default: the stream waits behind it, the rest
   * goes on), or `throw` a ProjectionHandlerError once the events before it are written, for a caller that has its
   * own way with failures (a Lambda function reports the record, and Lambda retries it).
   */
  readonly handlerFailures?: 'park' | 'throw';
  /** Called when an event is parked. */
  readonly onParked?: (parked: ParkedEvent) => void;
  /** Where each batch's span goes, continuing the traces its events were saved in. Default NO_TRACING. */
  readonly tracing?: Tracing;
}

/** What one call did, for metrics and tests. */
export interface ProcessingOutcome {
  /** Events applied to a projection (each counted once per projection). */
  readonly applied: number;
  /** Events a projection had already applied: redeliveries. */
  readonly redelivered: number;
  /** Events read from the table because the stream's records left a gap. */
  readonly filledFromTable: number;
  readonly viewWrites: number;
  readonly eventQueries: number;
  readonly parked: number;
}

/** A projection's handler kept failing on an event (with `handlerFailures: 'throw'`). The events before it are applied. */
export class ProjectionHandlerError extends EventStoreError {
  constructor(
    readonly projection: string,
    readonly streamId: string,
    readonly version: number,
    readonly eventId: string,
    readonly eventType: string,
    options: ErrorOptions,
  ) {
    super(
      `Projection "${projection}" could not apply ${eventType} v${version} of ${streamId}: ` +
        `${(options.cause as Error).message}`,
      options,
    );
  }
}

/** No projection of that name is registered. */
export class UnknownProjectionError extends EventStoreError {
  constructor(
    readonly projection: string,
    known: string,
  ) {
    super(`No projection is named "${projection}"; the application has ${known || 'none'}.`);
  }
}

/** The views could not be brought up to date: the documents kept changing under it. Retry the batch. */
export class ViewWriteConflictError extends EventStoreError {
  constructor(
    readonly projection: string,
    readonly documentId: string,
    readonly attempts: number,
  ) {
    super(
      `Projection "${projection}" could not write document "${documentId}" after ${attempts} attempts: another ` +
        'writer changed it each time. Nothing of this attempt was written; the batch will be retried.',
    );
  }
}

interface ProjectionRuntime {
  readonly definition: ProjectionDefinition;
  /** By stored type name, former names included. */
  readonly handled: ReadonlyMap<
    string,
    { eventType: RegisteredEventType; handler: ProjectionEventHandler }
  >;
}

const CONFLICT_ATTEMPTS = 10;
/** Events a catch-up reads and writes at a time: a stream of any length in bounded memory. */
const CATCH_UP_CHUNK = 500;
const CONFLICT_BACKOFF_MS = 10;

/**
 * Applies stored events to projections, each event once in effect, whatever order and however often they come: a
 * stream's events are applied in version order; an event at or below the document's position for its stream is a
 * redelivery and skipped; an event beyond the next version first gets the missing ones from the events table (a
 * strongly consistent read: the table is the truth, the stream records only a trigger). The new document and the
 * new position are one write, conditioned on the revision they were computed from.
 */
export class ProjectionProcessor {
  private readonly projections: readonly ProjectionRuntime[];
  private readonly handlerAttempts: number;
  private readonly handlerBackoff: (attempt: number) => number;
  private readonly concurrency: number;

  constructor(private readonly options: ProjectionProcessorOptions) {
    const views = new Set<string>();
    this.projections = options.projections.map((definition) => {
      if (views.has(definition.view)) {
        throw new AggregateConfigurationError(
          `Two projections write view "${definition.view}"; give each projection a view of its own.`,
        );
      }
      views.add(definition.view);
      return { definition, handled: handledTypes(definition, options.registry) };
    });
    this.handlerAttempts = options.handlerAttempts ?? 3;
    this.handlerBackoff = options.handlerBackoff ?? ((attempt) => 100 * 2 ** (attempt - 1));
    this.concurrency = options.concurrency ?? 8;
  }

  /**
   * Applies the events to every projection; resolves once every view holds them. `viewsOf` names, by projection,
   * the views to apply to (a generation being rebuilt beside the served one); by default its own view.
   */
  async apply(
    events: readonly StoredEvent[],
    viewsOf: (projection: ProjectionDefinition) => readonly string[] = ({ view }) => [view],
  ): Promise<ProcessingOutcome> {
    if (events.length === 0) return NO_OUTCOME;
    const tracing = this.options.tracing ?? NO_TRACING;
    const options: OperationSpanOptions = {
      kind: 'consumer',
      continues: events.map(({ metadata }) => metadata),
      attributes: {
        [SPAN.eventCount]: events.length,
        [SPAN.projections]: this.projections.map(({ definition }) => definition.name),
      },
    };
    return tracing.inSpan('apply projections', options, async (span) => {
      const outcome = await this.applyBatch(events, viewsOf);
      span.setAttributes({
        [SPAN.streamCount]: span.isRecording
          ? new Set(events.map(({ streamId }) => streamId)).size
          : undefined,
        [SPAN.applied]: outcome.applied,
        [SPAN.redelivered]: outcome.redelivered,
        [SPAN.filledFromTable]: outcome.filledFromTable,
        [SPAN.parked]: outcome.parked,
        [SPAN.viewWrites]: outcome.viewWrites,
      });
      return outcome;
    });
  }

  private async applyBatch(
    events: readonly StoredEvent[],
    viewsOf: (projection: ProjectionDefinition) => readonly string[],
  ): Promise<ProcessingOutcome> {
    const byStream = new Map<string, StoredEvent[]>();
    for (const event of events) {
      const stream = byStream.get(event.streamId) ?? [];
      stream.push(event);
      byStream.set(event.streamId, stream);
    }
    const work = this.projections.flatMap((projection) =>
      viewsOf(projection.definition).flatMap((view) =>
        [...byStream.entries()].map(([streamId, streamEvents]) => ({
          projection,
          view,
          streamId,
          streamEvents,
        })),
      ),
    );
    // Every stream's work is settled before a failure is passed on, so that no write is still under way when the
    // caller hears of it (and, say, reports the batch as failed).
    const settled = await lastValueFrom(
      from(work).pipe(
        mergeMap(
          ({ projection, view, streamId, streamEvents }) =>
            this.applyStream(projection, view, streamId, inVersionOrder(streamEvents)).then(
              (outcome) => ({ outcome }),
              (error: unknown) => ({ error }),
            ),
          this.concurrency,
        ),
        toArray(),
      ),
      { defaultValue: [] },
    );
    const outcomes: ProcessingOutcome[] = [];
    for (const result of settled) {
      if ('error' in result) throw result.error;
      outcomes.push(result.outcome);
    }
    return outcomes.reduce(sumOutcomes, NO_OUTCOME);
  }

  /** The projections it runs. */
  get definitions(): readonly ProjectionDefinition[] {
    return this.projections.map(({ definition }) => definition);
  }

  /** The projection of that name, or UnknownProjectionError naming those it runs. */
  definitionNamed(name: string): ProjectionDefinition {
    return this.projectionNamed(name).definition;
  }

  /**
   * Brings one stream's document in `view` (the projection's own, or a generation of it) up to the stream's last
   * event, reading the table from the document's position on, in chunks of `chunk` events: a rebuild's step. Each
   * chunk is applied like live delivery, so the two cannot apply an event twice or leave one out.
   */
  async catchUpStream(
    projectionName: string,
    streamId: string,
    view: string,
    chunk = CATCH_UP_CHUNK,
  ): Promise<ProcessingOutcome> {
    const projection = this.projectionNamed(projectionName);
    const state = await this.options.views.read(view, projection.definition.documentIdOf(streamId));
    if (state?.parked[streamId] !== undefined) return NO_OUTCOME;
    let outcome = NO_OUTCOME;
    // A cursor of its own: a chunk the projection handles nothing of leaves the document's position where it was.
    for (let next = (state?.positions[streamId] ?? 0) + 1; ;) {
      const events = await lastValueFrom(
        this.options.eventStore
          .readStream(streamId, { fromVersion: next })
          .pipe(take(chunk), toArray()),
      );
      if (events.length === 0) return outcome;
      const applied = await this.applyStream(projection, view, streamId, events);
      outcome = sumOutcomes(outcome, {
        ...applied,
        filledFromTable: applied.filledFromTable + events.length,
        eventQueries: applied.eventQueries + 1,
      });
      if (events.length < chunk || applied.parked > 0) return outcome;
      next = events.at(-1)!.version + 1;
    }
  }

  /**
   * Applies a parked stream again, from its position to the stream's last event, once the handler is fixed. Resolves
   * to what it did; the stream is parked again if the handler still fails.
   */
  async replayParked(
    projectionName: string,
    streamId: string,
    view = this.projectionNamed(projectionName).definition.view,
  ): Promise<ProcessingOutcome> {
    const projection = this.projectionNamed(projectionName);
    const last = await this.options.eventStore.readStreamVersion(streamId);
    if (last === 0) return NO_OUTCOME;
    // The stream's last event alone: the gap between the position and it is read from the table, in order.
    const newest = await lastValueFrom(
      this.options.eventStore
        .readStream(streamId, { fromVersion: last, toVersion: last })
        .pipe(toArray()),
    );
    return this.applyStream(projection, view, streamId, newest, { unpark: true });
  }

  private projectionNamed(name: string): ProjectionRuntime {
    const projection = this.projections.find(({ definition }) => definition.name === name);
    if (!projection) {
      const known = this.projections.map(({ definition }) => `"${definition.name}"`).join(', ');
      throw new UnknownProjectionError(name, known);
    }
    return projection;
  }

  private async applyStream(
    { definition, handled }: ProjectionRuntime,
    view: string,
    streamId: string,
    batch: readonly StoredEvent[],
    { unpark = false } = {},
  ): Promise<ProcessingOutcome> {
    const { views, eventStore } = this.options;
    const documentId = definition.documentIdOf(streamId);
    const last = batch.at(-1)?.version ?? 0;
    for (let attempt = 1; attempt <= CONFLICT_ATTEMPTS; attempt++) {
      const state = await views.read(view, documentId);
      const position = state?.positions[streamId] ?? 0;
      const parkedAt = state?.parked[streamId];
      if (parkedAt !== undefined && !unpark) {
        return {
          ...NO_OUTCOME,
          redelivered: batch.filter((event) => event.version <= position).length,
        };
      }
      if (last <= position) return { ...NO_OUTCOME, redelivered: batch.length };

      const fresh = batch.filter((event) => event.version > position);
      let events = fresh;
      let eventQueries = 0;
      if (fresh[0]!.version !== position + 1 || !isContiguous(fresh)) {
        events = await lastValueFrom(
          eventStore
            .readStream(streamId, { fromVersion: position + 1, toVersion: last })
            .pipe(toArray()),
        );
        eventQueries = 1;
      }
      const filledFromTable = eventQueries === 0 ? 0 : events.length - fresh.length;

      const changes = new ViewChanges(documentId, state?.document);
      let applied = 0;
      let appliedUpTo = position;
      let parked: ParkedEvent | undefined;
      let thrown: ProjectionHandlerError | undefined;
      for (const stored of events) {
        const entry = handled.get(stored.type);
        if (entry) {
          const failure = await this.runHandler(entry, stored, changes);
          if (failure && this.options.handlerFailures === 'throw') {
            thrown = new ProjectionHandlerError(
              definition.name,
              streamId,
              stored.version,
              stored.eventId,
              stored.type,
              { cause: failure },
            );
            break;
          }
          if (failure) {
            parked = {
              projection: definition.name,
              view,
              documentId,
              streamId,
              version: stored.version,
              eventId: stored.eventId,
              eventType: stored.type,
              error: `${failure.name}: ${failure.message}`,
              attempts: this.handlerAttempts,
              parkedAt: new Date(),
            };
            break;
          }
          applied++;
        }
        appliedUpTo = stored.version;
      }
      if (thrown && applied === 0) throw thrown;
      if (applied === 0 && !parked && parkedAt === undefined) {
        return {
          ...NO_OUTCOME,
          redelivered: batch.length - fresh.length,
          filledFromTable,
          eventQueries,
        };
      }

      const stillParked = { ...state?.parked };
      delete stillParked[streamId];
      const outcome = await views.write({
        view,
        id: documentId,
        expectedRevision: state?.revision ?? 0,
        document: changes.document ?? null,
        positions: { ...state?.positions, [streamId]: appliedUpTo },
        increments: changes.increments(),
        parked: parked ? { ...stillParked, [streamId]: parked.version } : stillParked,
        parkedEvent: parked,
        unparkedStream: parkedAt !== undefined && !parked ? streamId : undefined,
      });
      if (outcome === 'conflict') {
        // Another instance wrote the document (or a total it adds to) at the same time: back off a little, with
        // jitter, so that writers of a hot document do not keep meeting.
        await sleep(CONFLICT_BACKOFF_MS * 2 ** (attempt - 1) * Math.random());
        continue;
      }
      if (thrown) throw thrown;
      if (parked) this.options.onParked?.(parked);
      return {
        applied,
        redelivered: batch.length - fresh.length,
        filledFromTable,
        viewWrites: 1,
        eventQueries,
        parked: parked ? 1 : 0,
      };
    }
    throw new ViewWriteConflictError(definition.name, documentId, CONFLICT_ATTEMPTS);
  }

  /** Runs the handler with bounded retries; the last error when every attempt failed. */
  private async runHandler(
    { eventType, handler }: { eventType: RegisteredEventType; handler: ProjectionEventHandler },
    stored: StoredEvent,
    changes: ViewChanges,
  ): Promise<Error | undefined> {
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= this.handlerAttempts; attempt++) {
      if (attempt > 1) await sleep(this.handlerBackoff(attempt - 1));
      const update = changes.forEvent();
      try {
        // Inside the attempt: an event the code cannot read (a schema version newer than it knows) is parked too.
        const envelope = this.options.registry.toEnvelope(stored, eventType);
        await handler(envelope.event, update, envelope);
        changes.keep(update);
        return undefined;
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
      }
    }
    return lastError;
  }
}

function handledTypes(
  definition: ProjectionDefinition,
  registry: EventTypeRegistry,
): ProjectionRuntime['handled'] {
  const handled = new Map<
    string,
    { eventType: RegisteredEventType; handler: ProjectionEventHandler }
  >();
  for (const [eventClass, handler] of definition.handlers) {
    const eventType = registeredTypeOf(registry, eventClass);
    if (!eventType) {
      throw new AggregateConfigurationError(
        `Projection "${definition.name}" handles ${eventClass.name}, which no DynamoEventStoreModule.forFeature() ` +
          'registers: add it to the events of its aggregate.',
      );
    }
    for (const name of [eventType.name, ...eventType.aliases])
      handled.set(name, { eventType, handler });
  }
  return handled;
}

function registeredTypeOf(
  registry: EventTypeRegistry,
  eventClass: Type<IEvent>,
): RegisteredEventType | undefined {
  return registry.typeOf(Object.create(eventClass.prototype as object) as IEvent);
}

function inVersionOrder(events: readonly StoredEvent[]): StoredEvent[] {
  const byVersion = new Map(events.map((event) => [event.version, event]));
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

function isContiguous(events: readonly StoredEvent[]): boolean {
  return events.every(
    (event, index) => index === 0 || event.version === events[index - 1]!.version + 1,
  );
}

const NO_OUTCOME: ProcessingOutcome = {
  applied: 0,
  redelivered: 0,
  filledFromTable: 0,
  viewWrites: 0,
  eventQueries: 0,
  parked: 0,
};

function sumOutcomes(a: ProcessingOutcome, b: ProcessingOutcome): ProcessingOutcome {
  return {
    applied: a.applied + b.applied,
    redelivered: a.redelivered + b.redelivered,
    filledFromTable: a.filledFromTable + b.filledFromTable,
    viewWrites: a.viewWrites + b.viewWrites,
    eventQueries: a.eventQueries + b.eventQueries,
    parked: a.parked + b.parked,
  };
}
