import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConcurrencyError,
  EventStoreWriteError,
  IdempotencyKeyInUseError,
} from '../../core/errors.js';
import {
  idempotencyKeyPartition,
  isKeyOnlyWriteOf,
  toStoredIdempotencyKey,
} from '../items/idempotency-item.js';
import { EVENT_ID_ATTRIBUTES, eventIdOf } from '../items/event-item.js';
import { sendQuery, streamQueries } from '../reads/query.js';
import { readIdempotencyItem } from '../reads/read-idempotency-item.js';
import { accessErrorOf } from '../sdk-errors.js';
import { classifyConditionFailure } from './condition-failure.js';
import type { WriteAttempts } from './write-attempts.js';
import type { PlannedItem } from './write-plan.js';

export interface FailedWrite {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly planned: readonly PlannedItem[];
  readonly attempts: WriteAttempts;
  /** The caller says an earlier append of the same events may have landed. */
  readonly retry: boolean;
}

/**
 * Finds out, rather than guesses, what a failed write did. A condition failure is checked against the stored items'
 * event ids. A failure after which this append, or the earlier one it retries, may have been applied is settled by
 * reading one of its items back (the write is atomic: one tells of all): the first event, or the key of a write of a
 * key alone. Ours means written, another writer's means a conflict, nothing means the outcome is still unknown (a
 * delayed request may yet land). Returns `written`, or the error to throw.
 */
export async function resolveFailedWrite(
  error: unknown,
  write: FailedWrite,
): Promise<'written' | Error> {
  const { planned, attempts } = write;
  const condition = classifyConditionFailure(error, planned);
  if (condition) return condition === 'ours' ? 'written' : condition;
  const first = planned[0]!;
  const events = planned.flatMap((p) => (p.kind === 'event' ? [p] : []));
  const streamIds = [...new Set(events.map((p) => p.streamId))];
  const eventIds = events.map((p) => p.eventId);
  // A write without events is a key alone: the error names the key's partition.
  const [streamId, expectedVersion] =
    first.kind === 'idempotency key'
      ? [idempotencyKeyPartition(first.key), 0]
      : [first.streamId, first.expectedVersion];
  const failed = (outcome: 'not-written' | 'unknown') =>
    new EventStoreWriteError(streamId, expectedVersion, outcome, {
      cause: error,
      eventIds,
      streamIds,
    });
  const accessError = accessErrorOf(error, write.tableName);
  if (!attempts.mayHaveBeenApplied && !write.retry) return accessError ?? failed('not-written');

  if (first.kind === 'idempotency key') {
    const stored = await readIdempotencyItem(write.client, write.tableName, first.key).catch(
      () => undefined,
    );
    if (!stored) return failed('unknown');
    if (isKeyOnlyWriteOf(stored, first.fingerprint)) return 'written';
    return new IdempotencyKeyInUseError(first.key, toStoredIdempotencyKey(stored), {
      cause: error,
    });
  }
  const stored = await eventIdAt(write, streamId, expectedVersion + 1);
  if (stored === undefined) return failed('unknown');
  if (stored === eventIds[0]) return 'written';
  return new ConcurrencyError(streamId, expectedVersion, expectedVersion + 1, {
    cause: error,
    eventIds,
  });
}

/** The event id stored at that version of the stream: undefined when there is none or it could not be read. */
async function eventIdAt(
  { client, tableName }: FailedWrite,
  streamId: string,
  version: number,
): Promise<string | undefined> {
  try {
    const { Items = [] } = await sendQuery(
      client,
      streamQueries.at(tableName, streamId, version, EVENT_ID_ATTRIBUTES),
    );
    return Items[0] && eventIdOf(Items[0]);
  } catch {
    return undefined;
  }
}
