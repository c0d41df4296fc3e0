import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConcurrencyError,
  EventStoreWriteError,
  IdempotencyKeyInUseError,
} from '../../core/errors.js';
import {
  IDEMPOTENCY_KEY_ATTRIBUTES,
  idempotencyKeyPartition,
  toStoredIdempotencyKey,
} from '../items/idempotency-item.js';
import { sendQuery, streamQueries } from '../reads/query.js';
import { accessErrorOf } from '../sdk-errors.js';
import { EVENT_TABLE_ATTRIBUTES as A, IDEMPOTENCY_KEY_SORT_KEY } from '../table-layout.js';
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
  const events = planned.flatMap((p) => (p.kind === 'event' ? [p] : []));
  const streamIds = [...new Set(events.map((p) => p.streamId))];
  const eventIds = events.map((p) => p.eventId);
  const [streamId, expectedVersion] = events[0]
    ? [events[0].streamId, events[0].expectedVersion]
    : [planned[0]!.kind === 'idempotency key' ? idempotencyKeyPartition(planned[0]!.key) : '', 0];
  const failed = (outcome: 'not-written' | 'unknown') =>
    new EventStoreWriteError(streamId, expectedVersion, outcome, {
      cause: error,
      eventIds,
      streamIds,
    });
  const accessError = accessErrorOf(error, write.tableName);
  if (!attempts.mayHaveBeenApplied && !write.retry) return accessError ?? failed('not-written');

  const first = planned[0]!;
  if (first.kind === 'idempotency key') {
    const stored = await storedItemAt(
      write,
      idempotencyKeyPartition(first.key),
      IDEMPOTENCY_KEY_SORT_KEY,
      IDEMPOTENCY_KEY_ATTRIBUTES,
    );
    if (!stored) return failed('unknown');
    const key = toStoredIdempotencyKey(stored);
    if (key.fingerprint === first.fingerprint && key.eventIds.length === 0) return 'written';
    return new IdempotencyKeyInUseError(first.key, key, { cause: error });
  }
  const stored = await storedItemAt(write, streamId, expectedVersion + 1, [A.eventId]);
  if (!stored) return failed('unknown');
  if (stored[A.eventId]?.S === eventIds[0]) return 'written';
  return new ConcurrencyError(streamId, expectedVersion, expectedVersion + 1, {
    cause: error,
    eventIds,
  });
}

/** The item stored at that key: null when there is none, undefined when it could not be read. */
async function storedItemAt(
  { client, tableName }: FailedWrite,
  partition: string,
  sortKey: number,
  attributes: readonly string[],
) {
  try {
    const { Items = [] } = await sendQuery(
      client,
      streamQueries.at(tableName, partition, sortKey, attributes),
    );
    return Items[0] ?? null;
  } catch {
    return undefined;
  }
}
