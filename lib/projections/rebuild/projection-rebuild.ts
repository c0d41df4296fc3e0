import { randomUUID } from 'node:crypto';
import { EventStoreError } from '../../core/errors.js';
import type { EventStore } from '../../core/event-store.js';
import {
  INITIAL_STATE,
  type ProjectionState,
  projectionStateKey,
  type RebuildMode,
  type RebuildPlan,
  type SegmentCheckpoint,
  segmentCheckpointKey,
  viewOfGeneration,
} from '../generations.js';
import type { ProjectionProcessor } from '../projection-processor.js';
import type { StoredState, ViewStore } from '../views/view-store.js';

export interface RebuildOptions {
  /** `rebuild` (default): a new generation from empty, served once built; `catch-up`: the served one, from its positions. */
  readonly mode?: RebuildMode;
  /** Parallel Scan segments of the events table; read at once. Default 4. Ignored when resuming. */
  readonly segments?: number;
  /** Hears how far the rebuild is: after each stream, at most every `progressIntervalMs`, and once at the end. */
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Default 500. */
  readonly progressIntervalMs?: number;
  /** Stops the rebuild after the streams in flight: it resumes from its checkpoints when run again. */
  readonly signal?: AbortSignal;
}

export interface RebuildProgress {
  readonly projection: string;
  readonly mode: RebuildMode;
  /** The generation being built (the served one, for a catch-up). */
  readonly generation: number;
  readonly segments: number;
  readonly segmentsDone: number;
  /** Streams caught up, those of earlier runs of an interrupted rebuild included. */
  readonly streamsDone: number;
  /** Events read from the table, and applied to the projection. */
  readonly eventsRead: number;
  readonly eventsApplied: number;
  readonly eventsPerSecond: number;
  /** About how many events the table holds (DynamoDB counts them every six hours or so), when known. */
  readonly estimatedEvents?: number;
  /** Milliseconds left at the current rate, when the estimate allows. */
  readonly etaMs?: number;
  readonly elapsedMs: number;
  /** `running`, `done` (and served, for a rebuild), or `stopped` by its signal, to be resumed. */
  readonly status: 'running' | 'done' | 'stopped';
}

/** Another rebuild of the projection is in progress in another mode; it must finish first. */
export class RebuildInProgressError extends EventStoreError {
  constructor(
    readonly projection: string,
    readonly plan: RebuildPlan,
  ) {
    super(
      `A ${plan.mode} of projection "${projection}" (generation ${plan.generation}) started at ${plan.startedAt} ` +
        `is not finished: run it again to resume it, with mode "${plan.mode}".`,
    );
  }
}

interface RebuildParts {
  readonly eventStore: EventStore;
  readonly views: ViewStore;
  readonly processor: ProjectionProcessor;
}

/**
 * (Re)builds a projection from the events table while live delivery goes on:
 * 1. the plan is saved in the projection's state: from then on live delivery applies events to the generation
 *    being built too (it reads the state for every batch it applies);
 * 2. the table's streams are listed with a parallel Scan, segment by segment;
 * 3. each stream is caught up from the generation's position, with strongly consistent reads, through the same
 *    conditional writes as live delivery, so the two cannot apply an event twice or leave one out;
 * 4. the new generation is served.
 * Each segment's progress is saved after every page of streams: an interrupted rebuild resumes from there, and
 * finished segments are not read again. Events are never ordered by Scan order: each stream is read by version.
 */
export async function rebuildProjection(
  parts: RebuildParts,
  projection: string,
  options: RebuildOptions = {},
): Promise<RebuildProgress> {
  const { eventStore, views, processor } = parts;
  const { view } = processor.definitionNamed(projection);
  const { plan, stateRevision } = await planOf(views, projection, options);
  const generationView = viewOfGeneration(view, plan.generation);

  const keys = Array.from({ length: plan.segments }, (_, index) =>
    segmentCheckpointKey(projection, plan.runId, index),
  );
  const checkpoints = await views.readStates<SegmentCheckpoint>(keys);
  const startedAt = Date.now();
  const estimatedEvents = await eventStore.estimateEventCount();
  const totals = {
    segmentsDone: 0,
    streamsDone: 0,
    eventsRead: 0,
    eventsApplied: 0,
    eventsReadNow: 0,
  };
  for (const { value } of checkpoints.values()) {
    totals.streamsDone += value.streams;
    totals.eventsRead += value.events;
    if (value.done) totals.segmentsDone++;
  }

  let reportedAt = 0;
  const progress = (status: RebuildProgress['status']): RebuildProgress => {
    const elapsedMs = Date.now() - startedAt;
    const eventsPerSecond = elapsedMs > 0 ? (totals.eventsReadNow * 1000) / elapsedMs : 0;
    const left =
      estimatedEvents === undefined ? undefined : Math.max(0, estimatedEvents - totals.eventsRead);
    return {
      projection,
      mode: plan.mode,
      generation: plan.generation,
      segments: plan.segments,
      segmentsDone: totals.segmentsDone,
      streamsDone: totals.streamsDone,
      eventsRead: totals.eventsRead,
      eventsApplied: totals.eventsApplied,
      eventsPerSecond,
      estimatedEvents,
      etaMs:
        status !== 'running'
          ? 0
          : left !== undefined && eventsPerSecond > 0
            ? (left / eventsPerSecond) * 1000
            : undefined,
      elapsedMs,
      status,
    };
  };
  const report = () => {
    const now = Date.now();
    if (now - reportedAt < (options.progressIntervalMs ?? 500)) return;
    reportedAt = now;
    options.onProgress?.(progress('running'));
  };

  const rebuildSegment = async (index: number) => {
    const key = keys[index]!;
    const stored: StoredState<SegmentCheckpoint> | undefined = checkpoints.get(key);
    if (stored?.value.done) return;
    let checkpoint: SegmentCheckpoint = stored?.value ?? { done: false, streams: 0, events: 0 };
    let revision = stored?.revision ?? 0;
    const pages = eventStore.listStreams({
      index,
      count: plan.segments,
      after: checkpoint.resumeAfter,
    });
    for await (const page of pages) {
      let streams = 0;
      let events = 0;
      for (const streamId of page.streamIds) {
        // Stopped mid-page: the page is not checkpointed, and its streams, caught up or not, are read again.
        if (options.signal?.aborted) return;
        const outcome = await processor.catchUpStream(projection, streamId, generationView);
        streams++;
        events += outcome.filledFromTable;
        totals.streamsDone++;
        totals.eventsRead += outcome.filledFromTable;
        totals.eventsReadNow += outcome.filledFromTable;
        totals.eventsApplied += outcome.applied;
        report();
      }
      checkpoint = {
        resumeAfter: page.resumeAfter,
        done: page.resumeAfter === undefined,
        streams: checkpoint.streams + streams,
        events: checkpoint.events + events,
      };
      // One writer per segment: a conflict means the same rebuild runs twice at once, which would waste, not harm.
      if ((await views.writeState(key, checkpoint, revision)) === 'written') revision++;
      if (checkpoint.done) totals.segmentsDone++;
      if (options.signal?.aborted) return;
    }
  };
  await Promise.all(keys.map((_, index) => rebuildSegment(index)));

  if (totals.segmentsDone < plan.segments) {
    const stopped = progress('stopped');
    options.onProgress?.(stopped);
    return stopped;
  }
  await finish(views, projection, plan, stateRevision);
  const done = progress('done');
  options.onProgress?.(done);
  return done;
}

/** The plan of the rebuild in progress, to resume, or of a new one, saved. */
async function planOf(
  views: ViewStore,
  projection: string,
  { mode = 'rebuild', segments = 4 }: RebuildOptions,
): Promise<{ plan: RebuildPlan; stateRevision: number }> {
  const key = projectionStateKey(projection);
  for (;;) {
    const stored = (await views.readStates<ProjectionState>([key])).get(key);
    const state = stored?.value ?? INITIAL_STATE;
    const revision = stored?.revision ?? 0;
    if (state.rebuild) {
      if (state.rebuild.mode !== mode) throw new RebuildInProgressError(projection, state.rebuild);
      return { plan: state.rebuild, stateRevision: revision };
    }
    const plan: RebuildPlan = {
      runId: randomUUID(),
      mode,
      generation: mode === 'rebuild' ? state.activeGeneration + 1 : state.activeGeneration,
      segments,
      startedAt: new Date().toISOString(),
    };
    if (
      (await views.writeState<ProjectionState>(key, { ...state, rebuild: plan }, revision)) ===
      'written'
    ) {
      return { plan, stateRevision: revision + 1 };
    }
  }
}

/** Serves the generation built (a rebuild) and ends the plan; the generation before stays, unread, until deleted. */
async function finish(
  views: ViewStore,
  projection: string,
  plan: RebuildPlan,
  revision: number,
): Promise<void> {
  const key = projectionStateKey(projection);
  for (let current = revision; ;) {
    const next: ProjectionState = { activeGeneration: plan.generation };
    if ((await views.writeState<ProjectionState>(key, next, current)) === 'written') return;
    const stored = (await views.readStates<ProjectionState>([key])).get(key);
    if (stored?.value.rebuild?.runId !== plan.runId) return; // another run of the same plan finished it
    current = stored.revision;
  }
}
