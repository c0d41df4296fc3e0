import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { EventStore } from '../../core/event-store.js';
import type { StoredEvent } from '../../core/types.js';
import { attachEnvelope } from '../../nest/event-envelope.js';
import { EVENT_STORE } from '../../nest/event-store.token.js';
import { EventTypeRegistry } from '../../nest/event-type-registry.js';
import { TRACING } from '../../nest/tracing.providers.js';
import type { Tracing } from '../../telemetry/tracing.js';
import {
  INITIAL_STATE,
  type LiveViews,
  liveViewsOf,
  type ProjectionState,
  readProjectionStates,
  viewOfGeneration,
} from '../generations.js';
import { type ProcessingOutcome, ProjectionProcessor } from '../projection-processor.js';
import {
  rebuildProjection,
  type RebuildOptions,
  type RebuildProgress,
} from '../rebuild/projection-rebuild.js';
import type { ParkedEvent, ViewStore } from '../views/view-store.js';
import { ProjectionCatalog } from './projection-catalog.js';
import type { ProjectionSettings } from './projection-settings.js';
import { PROJECTION_SETTINGS, VIEW_STORE } from './projection-tokens.js';

/** How long a read may be served from the generation before a rebuild switched: at most this. */
const SERVED_VIEW_TTL_MS = 1000;

/**
 * The application's projections: applies stored events to them (the runner calls this for every batch of stream
 * records), lists parked events and replays them, and with `redeliverToEventBus` publishes what it applied.
 */
@Injectable()
export class Projections implements OnModuleInit {
  private processor?: ProjectionProcessor;
  private readonly logger = new Logger('Projections');
  private readonly served = new Map<string, { view: string; until: number }>();

  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly registry: EventTypeRegistry,
    @Inject(VIEW_STORE) private readonly views: ViewStore,
    private readonly catalog: ProjectionCatalog,
    @Inject(PROJECTION_SETTINGS) private readonly settings: ProjectionSettings,
    @Optional() private readonly eventBus?: EventBus,
    @Optional() @Inject(TRACING) private readonly tracing?: Tracing,
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
      tracing: this.tracing,
      onParked: (parked) =>
        this.logger.error(
          `Parked ${parked.eventType} v${parked.version} of ${parked.streamId} for projection ` +
            `"${parked.projection}" after ${parked.attempts} attempts (${parked.error}); the stream's later ` +
            'events wait behind it. Fix the handler, then replay it.',
        ),
    });
  }

  /**
   * Applies stored events, in any order and any number of times, to every projection, once in effect: to the
   * generation served, and to the one a rebuild is building.
   */
  async apply(events: readonly StoredEvent[], views?: LiveViews): Promise<ProcessingOutcome> {
    const processor = this.requireProcessor();
    if (events.length === 0) return processor.apply(events);
    const outcome = await processor.apply(events, views ?? (await this.liveViews()));
    if (this.settings.redeliverToEventBus) this.redeliver(events);
    return outcome;
  }

  /**
   * The views live delivery applies to now, by projection: the served generation and the one a rebuild builds. Read
   * it after the events to apply were stored (a rebuild planned later catches them up itself), and pass it to
   * several apply() calls of one batch to read it once.
   */
  async liveViews(): Promise<LiveViews> {
    return liveViewsOf(this.views, this.requireProcessor().definitions);
  }

  /**
   * (Re)builds a projection from the whole events table while live delivery goes on, and serves the new generation
   * once built; or, with `mode: 'catch-up'`, brings the served one up to date from its positions. Run it again to
   * resume one that was interrupted. See RebuildOptions.
   */
  async rebuild(projection: string, options?: RebuildOptions): Promise<RebuildProgress> {
    const progress = await rebuildProjection(
      { eventStore: this.eventStore, views: this.views, processor: this.requireProcessor() },
      projection,
      options,
    );
    // This instance serves the new generation at once; others within SERVED_VIEW_TTL_MS.
    if (progress.status === 'done') this.served.delete(projection);
    return progress;
  }

  /** Which generation of the projection is served, and the rebuild in progress if any. */
  async stateOf(projection: string): Promise<ProjectionState> {
    this.requireProcessor().definitionNamed(projection);
    return (await readProjectionStates(this.views, [projection])).get(projection) ?? INITIAL_STATE;
  }

  /** The view name the projection's served generation is kept under, read at most once a second. */
  async servedView(projection: string): Promise<string> {
    const cached = this.served.get(projection);
    if (cached && cached.until > Date.now()) return cached.view;
    const { view } = this.requireProcessor().definitionNamed(projection);
    const { activeGeneration } = await this.stateOf(projection);
    const served = viewOfGeneration(view, activeGeneration);
    this.served.set(projection, { view: served, until: Date.now() + SERVED_VIEW_TTL_MS });
    return served;
  }

  /** Parked streams, of one projection or of all. */
  parked(projection?: string): Promise<ParkedEvent[]> {
    return this.views.listParked(projection);
  }

  /**
   * Applies a parked stream again, from where it stopped, once its handler is fixed: in the view a ParkedEvent
   * names (a generation being rebuilt, say), or by default the served one.
   */
  async replay(projection: string, streamId: string, view?: string): Promise<ProcessingOutcome> {
    return this.requireProcessor().replayParked(
      projection,
      streamId,
      view ?? (await this.servedView(projection)),
    );
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
