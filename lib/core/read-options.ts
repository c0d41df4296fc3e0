import { InvalidReadError } from './errors.js';
import { MAX_STREAM_VERSION } from './limits.js';
import { assertValidStreamId } from './stream-id.js';
import type { ReadSnapshotOptions, ReadStreamOptions, StreamSegment } from './types.js';

export interface VersionRange {
  readonly fromVersion: number;
  readonly toVersion: number;
}

const DEFAULT_EXPECTED_NEWER_EVENTS = 99;

/** The versions a read covers, or InvalidReadError before anything is read. */
export function versionRangeOf(streamId: string, options: ReadStreamOptions = {}): VersionRange {
  assertValidStreamId(streamId);
  const { fromVersion = 1, toVersion = MAX_STREAM_VERSION } = options;
  for (const [name, value] of [
    ['fromVersion', fromVersion],
    ['toVersion', toVersion],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InvalidReadError(
        streamId,
        `${name} is ${String(value)}; it must be an integer ≥ 1`,
      );
    }
  }
  if (fromVersion > toVersion) {
    throw new InvalidReadError(
      streamId,
      `fromVersion ${fromVersion} is after toVersion ${toVersion}`,
    );
  }
  return { fromVersion, toVersion: Math.min(toVersion, MAX_STREAM_VERSION) };
}

/** How many events after a snapshot a read expects, or InvalidReadError. */
export function expectedNewerEventsOf(streamId: string, options: ReadSnapshotOptions = {}): number {
  assertValidStreamId(streamId);
  const { expectedNewerEvents = DEFAULT_EXPECTED_NEWER_EVENTS } = options;
  if (!Number.isSafeInteger(expectedNewerEvents) || expectedNewerEvents < 0) {
    throw new InvalidReadError(
      streamId,
      `expectedNewerEvents is ${String(expectedNewerEvents)}; it must be an integer ≥ 0`,
    );
  }
  return expectedNewerEvents;
}

const MAX_SEGMENTS = 1_000_000;

/** A segment as given, or InvalidReadError: DynamoDB's parallel Scan takes 1 to 1,000,000 segments. */
export function checkedSegment(segment: StreamSegment): StreamSegment {
  const { index, count } = segment;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SEGMENTS) {
    throw new InvalidReadError(
      '(every stream)',
      `the segment count ${String(count)} is not an integer from 1 to ${MAX_SEGMENTS}`,
    );
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new InvalidReadError(
      '(every stream)',
      `segment ${String(index)} is not an integer from 0 to ${count - 1}`,
    );
  }
  return segment;
}
