import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { EventStore } from '../../core/event-store.js';
import type { StoredEvent } from '../../core/types.js';
import { attachEnvelope } from '../../nest/event-envelope.js';
import { EVENT_STORE } from '../../nest/event-store.token.js';
import { EventTypeRegistry } from '../../nest/event-type-registry.js';
import { type ProcessingOutcome, ProjectionProcessor } from '../projection-processor.js';
import type { ParkedEvent, ViewStore } from '../views/view-store.js';
import { ProjectionCatalog } from './projection-catalog.js';
import type { ProjectionSettings } from './projection-settings.js';
import { PROJECTION_SETTINGS, VIEW_STORE } from './projection-tokens.js';

/**
 * The application's projections: applies stored events to them (the runner calls this for every batch of stream
 * records), lists parked events and replays them, and with `redeliverToEventBus` publishes what it applied.
 */
@Injectable()
export class Projections implements OnModuleInit {
  private processor?: ProjectionProcessor;
  private readonly logger = new Logger('Projections');

  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly registry: EventTypeRegistry,
    @Inject(VIEW_STORE) private readonly views: ViewStore,
    private readonly catalog: ProjectionCatalog,
    @Inject(PROJECTION_SETTINGS) private readonly settings: ProjectionSettings,
    @Optional() private readonly eventBus?: EventBus,
  ) {}

  onModuleInit(): void {
    // Every forFeature() has registered its projections by now: providers are all built before any onModuleInit.
    this.processor = new ProjectionProcessor({
      eventStore: this.eventStore,
      registry: this.registry,
      views: this.views,
      projections: this.catalog.definitions(),
      handlerAttempts: this.settings.handlerAttempts,
      handlerBackoff: this.settings.handlerBackoff,
      concurrency: this.settings.concurrency,
      handlerFailures: this.settings.handlerFailures,
      onParked: (parked) =>
        this.logger.error(
          `Parked ${parked.eventType} v${parked.version} of ${parked.streamId} for projection ` +
            `"${parked.projection}" after ${parked.attempts} attempts (${parked.error}); the stream's later ` +
            'events wait behind it. Fix the handler, then replay it.',
        ),
    });
  }

  /** Applies stored events, in any order and any number of times, to every projection, once in effect. */
  async apply(events: readonly StoredEvent[]): Promise<ProcessingOutcome> {
    const outcome = await this.requireProcessor().apply(events);
    if (this.settings.redeliverToEventBus) this.redeliver(events);
    return outcome;
  }

  /** Parked streams, of one projection or of all. */
  parked(projection?: string): Promise<ParkedEvent[]> {
    return this.views.listParked(projection);
  }

  /** Applies a parked stream again, from where it stopped, once its handler is fixed. */
  replay(projection: string, streamId: string): Promise<ProcessingOutcome> {
    return this.requireProcessor().replayParked(projection, streamId);
  }

  private redeliver(events: readonly StoredEvent[]): void {
    if (!this.eventBus) return;
    for (const stored of events) {
      const eventType = this.registry.typeNamed(stored.type);
      if (!eventType) continue;
      // Handlers receive the bare event; getEventEnvelope(event) gives them the rest, `redelivered` included.
      const envelope = attachEnvelope(
        this.registry.toEnvelope(stored, eventType, { redelivered: true }),
      );
      this.eventBus.publish(envelope.event);
    }
  }

  private requireProcessor(): ProjectionProcessor {
    if (!this.processor)
      throw new Error('Projections are used before the application was initialised.');
    return this.processor;
  }
}
