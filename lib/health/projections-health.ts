import {
  INITIAL_STATE,
  type ProjectionState,
  readProjectionStates,
  type RebuildMode,
  type SegmentCheckpoint,
  segmentCheckpointKey,
} from '../projections/generations.js';
import type { Projections } from '../projections/nest/projections.service.js';
import type { StreamRunnerStatus } from '../projections/streams/stream-runner.js';
import type { ViewStore } from '../projections/views/view-store.js';

/** How far a rebuild (or catch-up) stands, from its plan and the checkpoints its segments saved. */
export interface RebuildHealth {
  readonly mode: RebuildMode;
  /** The generation being built. */
  readonly generation: number;
  readonly startedAt: string;
  readonly segments: number;
  readonly segmentsDone: number;
  /** Streams caught up, and events read, as of the segments' last checkpoints (saved after each page of streams). */
  readonly streamsDone: number;
  readonly eventsRead: number;
}

export interface ProjectionHealth {
  /** Parked streams: each holds back its later events in this projection until replayed. */
  readonly parked: number;
  readonly activeGeneration: number;
  /** Present while a rebuild or catch-up is in progress (or was interrupted and waits to be resumed). */
  readonly rebuild?: RebuildHealth;
}

export interface ProjectionsHealth {
  readonly projections: Readonly<Record<string, ProjectionHealth>>;
  /**
   * How old the newest record the stream runner of this instance handled was when handled, the largest over the
   * shards it owns; 0 once a read found nothing new. One runner feeds every projection, so this is every
   * projection's lag. Absent where this instance runs no runner or owns no shard.
   */
  readonly lagMs?: number;
  /** What exceeds a threshold; empty when healthy. */
  readonly reasons: readonly string[];
}

export interface ProjectionsHealthParts {
  readonly projections: Projections;
  readonly names: readonly string[];
  readonly views: ViewStore;
  readonly runner?: StreamRunnerStatus;
  readonly maxLagMs: number;
  readonly maxParked: number;
}

/** Reads every projection's parked count, generation and rebuild, and checks them and the runner's lag. */
export async function readProjectionsHealth(
  parts: ProjectionsHealthParts,
): Promise<ProjectionsHealth> {
  const { projections, names, views, runner, maxLagMs, maxParked } = parts;
  const [parked, stateByName] = await Promise.all([
    projections.parked(),
    readProjectionStates(views, names),
  ]);
  const states = names.map((name) => stateByName.get(name) ?? INITIAL_STATE);
  const rebuilds = await Promise.all(
    names.map((name, index) => rebuildHealthOf(views, name, states[index]!)),
  );
  const reasons: string[] = [];
  const report: Record<string, ProjectionHealth> = {};
  names.forEach((name, index) => {
    const count = parked.filter((entry) => entry.projection === name).length;
    if (count > maxParked)
      reasons.push(
        `Projection "${name}" has ${count} parked stream${count === 1 ? '' : 's'} (at most ${maxParked} ` +
          'allowed): fix the handler, then replay them (Projections.replay).',
      );
    const rebuild = rebuilds[index];
    report[name] = {
      parked: count,
      activeGeneration: states[index]!.activeGeneration,
      ...(rebuild ? { rebuild } : {}),
    };
  });
  const lagMs = lagOf(runner);
  if (lagMs !== undefined && lagMs > maxLagMs)
    reasons.push(
      `The stream runner handled records ${lagMs} ms old (at most ${maxLagMs} ms allowed): the projections fall ` +
        'behind the events table.',
    );
  return { projections: report, ...(lagMs === undefined ? {} : { lagMs }), reasons };
}

async function rebuildHealthOf(
  views: ViewStore,
  projection: string,
  { rebuild: plan }: ProjectionState,
): Promise<RebuildHealth | undefined> {
  if (!plan) return undefined;
  const keys = Array.from({ length: plan.segments }, (_, segment) =>
    segmentCheckpointKey(projection, plan.runId, segment),
  );
  const checkpoints = [...(await views.readStates<SegmentCheckpoint>(keys)).values()];
  return {
    mode: plan.mode,
    generation: plan.generation,
    startedAt: plan.startedAt,
    segments: plan.segments,
    segmentsDone: checkpoints.filter(({ value }) => value.done).length,
    streamsDone: checkpoints.reduce((sum, { value }) => sum + value.streams, 0),
    eventsRead: checkpoints.reduce((sum, { value }) => sum + value.events, 0),
  };
}

function lagOf(runner: StreamRunnerStatus | undefined): number | undefined {
  const lags = (runner?.leases ?? []).flatMap(({ owned, lagMs }) =>
    owned && lagMs !== undefined ? [lagMs] : [],
  );
  return lags.length === 0 ? undefined : Math.max(...lags);
}
