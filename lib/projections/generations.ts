import type { ProjectionDefinition } from './projection.js';
import type { ViewStore } from './views/view-store.js';

/**
 * A projection's view lives in generations: the one served, and, while a rebuild runs, the one being built beside
 * it from the whole table. A rebuild ends by serving the new one: the read model is swapped without downtime.
 */
export interface ProjectionState {
  /** The generation reads are served from; 1 until a projection is first rebuilt. */
  readonly activeGeneration: number;
  /** A rebuild or catch-up in progress. */
  readonly rebuild?: RebuildPlan;
}

export type RebuildMode = 'rebuild' | 'catch-up';

export interface RebuildPlan {
  /** Names this run's checkpoints. */
  readonly runId: string;
  /** `rebuild`: a new generation from empty; `catch-up`: the served generation, from its positions. */
  readonly mode: RebuildMode;
  readonly generation: number;
  readonly segments: number;
  readonly startedAt: string;
}

/** How far one segment of a rebuild has got, saved after each page of streams. */
export interface SegmentCheckpoint {
  readonly resumeAfter?: string;
  readonly done: boolean;
  readonly streams: number;
  readonly events: number;
}

export const INITIAL_STATE: ProjectionState = { activeGeneration: 1 };

/** The view a generation's documents are kept under: the view's own name for the first, `<view>@<n>` after. */
export function viewOfGeneration(view: string, generation: number): string {
  return generation <= 1 ? view : `${view}@${generation}`;
}

/** The generations live delivery applies events to: the served one, and the one a rebuild builds. */
export function generationsToApply(state: ProjectionState): number[] {
  const building = state.rebuild?.generation;
  return building === undefined || building === state.activeGeneration
    ? [state.activeGeneration]
    : [state.activeGeneration, building];
}

export function projectionStateKey(projection: string): string {
  return `projection#${projection}`;
}

export function segmentCheckpointKey(projection: string, runId: string, segment: number): string {
  return `projection#${projection}#run#${runId}#segment#${segment}`;
}

/** The projections' states, by name, as the view store keeps them; a projection never rebuilt has none. */
export async function readProjectionStates(
  views: ViewStore,
  projections: readonly string[],
): Promise<Map<string, ProjectionState>> {
  const stored = await views.readStates<ProjectionState>(projections.map(projectionStateKey));
  return new Map(
    projections.flatMap((name) => {
      const state = stored.get(projectionStateKey(name));
      return state ? [[name, state.value] as const] : [];
    }),
  );
}

/**
 * Where live delivery applies a projection's events now: its served generation, and the one a rebuild builds.
 * Read for every batch, so that a rebuild started meanwhile gets every event written after its plan was saved.
 */
/** The views live delivery applies a projection's events to: its served generation, and the one being rebuilt. */
export type LiveViews = (projection: ProjectionDefinition) => string[];

export async function liveViewsOf(
  views: ViewStore,
  projections: readonly ProjectionDefinition[],
): Promise<LiveViews> {
  const states = await readProjectionStates(
    views,
    projections.map(({ name }) => name),
  );
  return ({ name, view }) =>
    generationsToApply(states.get(name) ?? INITIAL_STATE).map((generation) =>
      viewOfGeneration(view, generation),
    );
}
