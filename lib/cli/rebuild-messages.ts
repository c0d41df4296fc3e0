import type { ProjectionState, RebuildMode } from '../projections/generations.js';
import type { RebuildProgress } from '../projections/rebuild/projection-rebuild.js';

/** The progress bar's width on a terminal: what the line leaves, within these. */
const BAR_WIDTH = { min: 10, max: 30 };
/**
 * What a terminal's status line keeps for the details after the bar (`45% · 68 streams · 204 events applied · …`),
 * so that the bar keeps one width while the numbers grow.
 */
const DETAILS_WIDTH = 60;
const NUMBER = new Intl.NumberFormat('en-US');

/** What the command says before the rebuild starts: what it builds, or which rebuild it resumes. */
export function startLine(
  projection: string,
  mode: RebuildMode,
  state: ProjectionState,
  segmentsAsked: number | undefined,
): string {
  const plan = state.rebuild;
  if (plan) {
    const segments =
      segmentsAsked === undefined || segmentsAsked === plan.segments
        ? ''
        : ` It keeps its ${counted(plan.segments, 'segment')}: --segments applies to a new ${mode} only.`;
    return (
      `Resuming the ${plan.mode} of projection "${projection}" into generation ${plan.generation}, started at ` +
      `${plan.startedAt}, from its checkpoints.${segments}`
    );
  }
  return mode === 'rebuild'
    ? `Rebuilding projection "${projection}" from the events table; generation ${state.activeGeneration} stays ` +
        'served until the new one is built.'
    : `Catching up projection "${projection}", generation ${state.activeGeneration} (served), from its positions.`;
}

/** A progress report as one line of a log: `Rebuild of "p", generation 2: 40% (…), 1/4 segments done, …`. */
export function progressLine(progress: RebuildProgress): string {
  const { eventsRead, estimatedEvents, segments, segmentsDone } = progress;
  const percent = percentOf(progress);
  const eta = etaOf(progress);
  return [
    `${capitalised(progress.mode)} of "${progress.projection}", generation ${progress.generation}: ` +
      (percent === undefined
        ? `${counted(eventsRead, 'event')} read`
        : `${percent}% (${count(eventsRead)} of about ${counted(estimatedEvents ?? 0, 'event')} read)`),
    `${segmentsDone}/${counted(segments, 'segment')} done`,
    `${counted(progress.streamsDone, 'stream')} done`,
    `${counted(progress.eventsApplied, 'event')} applied`,
    `${count(progress.eventsPerSecond)} events/s`,
    ...(eta === undefined ? [] : [`about ${duration(eta)} left`]),
  ].join(', ');
}

/**
 * A progress report as a terminal's status line, redrawn in place: `p gen 2 [████░░░░] 40% · 120 streams · …`. It
 * fits the terminal's width, the bar giving way first: a line that wraps cannot be redrawn with a carriage return.
 */
export function terminalProgressLine(progress: RebuildProgress, columns?: number): string {
  const percent = percentOf(progress);
  const eta = etaOf(progress);
  const label = `${progress.projection} gen ${progress.generation}`;
  const details = [
    ...(percent === undefined ? [] : [`${percent}%`]),
    counted(progress.streamsDone, 'stream'),
    `${counted(progress.eventsApplied, 'event')} applied`,
    `${count(progress.eventsPerSecond)}/s`,
    ...(eta === undefined ? [] : [`${duration(eta)} left`]),
  ].join(' · ');
  // The label, the bar's brackets and the spaces around them, and the details after it.
  const barWidth = Math.min(
    BAR_WIDTH.max,
    columns === undefined ? BAR_WIDTH.max : columns - 1 - label.length - 4 - DETAILS_WIDTH,
  );
  const line =
    percent === undefined || barWidth < BAR_WIDTH.min
      ? `${label} · ${details}`
      : `${label} ${bar(percent, barWidth)} ${details}`;
  // Short of the last column, where some terminals wrap at once.
  return columns === undefined ? line : line.slice(0, Math.max(0, columns - 1));
}

/** What the command says once the rebuild has ended, done or stopped. */
export function summaryLine(final: RebuildProgress): string {
  const { projection, generation, mode } = final;
  if (final.status !== 'done')
    return (
      `Stopped the ${mode} of projection "${projection}" (generation ${generation}) with ${final.segmentsDone} ` +
      `of ${counted(final.segments, 'segment')} done. Run the same command again to resume it from its checkpoints.`
    );
  const totals =
    `${counted(final.eventsApplied, 'event')} applied, ${counted(final.streamsDone, 'stream')}, in ` +
    `${duration(final.elapsedMs)}.`;
  return mode === 'rebuild'
    ? `Rebuilt projection "${projection}": generation ${generation} is built and now served. ${totals}`
    : `Caught up projection "${projection}": generation ${generation}, the one served, is up to date. ${totals}`;
}

/** `0.4s`, `12s`, `3m05s`, `1h02m`. */
export function duration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * How much of the table a rebuild has read, from DynamoDB's count of its items, which trails by hours: capped at 99%
 * until it is done. None when the count is not known or still 0, or for a catch-up, which reads only the events its
 * positions lack: the table's count says nothing of how far it is.
 */
function percentOf({ mode, status, eventsRead, estimatedEvents }: RebuildProgress) {
  if (mode === 'catch-up' || !estimatedEvents) return undefined;
  if (status === 'done') return 100;
  return Math.min(99, Math.floor((eventsRead / estimatedEvents) * 100));
}

/** The rebuild's own estimate of the time left, while it runs; a catch-up's is as meaningless as its percentage. */
function etaOf({ mode, status, etaMs }: RebuildProgress): number | undefined {
  return mode === 'catch-up' || status !== 'running' ? undefined : etaMs;
}

function bar(percent: number, width: number): string {
  const filled = Math.round((percent / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

function count(value: number): string {
  return NUMBER.format(Math.round(value));
}

/** `1 stream`, `2 streams`. */
function counted(value: number, noun: string): string {
  return `${count(value)} ${noun}${Math.round(value) === 1 ? '' : 's'}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
