import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConcurrencyError, EventStoreWriteError } from '../../core/errors.js';
import { sendQuery, streamQueries } from '../reads/query.js';
import { accessErrorOf } from '../sdk-errors.js';
import { EVENT_TABLE_ATTRIBUTES as A } from '../table-layout.js';
import { classifyConditionFailure } from './condition-failure.js';
import type { WriteAttempts } from './write-attempts.js';

export interface FailedWrite {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly eventIds: readonly string[];
  readonly attempts: WriteAttempts;
  /** The caller says an earlier append of the same events may have landed. */
  readonly retry: boolean;
}

/**
 * Finds out, rather than guesses, what a failed write did. A condition failure is checked against the stored items'
 * event ids. A failure after which this append, or the earlier one it retries, may have been applied is settled by
 * reading the first version back: ours means written, another writer's means a conflict, nothing means the outcome
 * is still unknown (a delayed request may yet land). Returns `written`, or the error to throw.
 */
export async function resolveFailedWrite(
  error: unknown,
  write: FailedWrite,
): Promise<'written' | Error> {
  const { streamId, expectedVersion, eventIds, attempts } = write;
  const condition = classifyConditionFailure(error, streamId, expectedVersion, eventIds);
  if (condition) return condition === 'ours' ? 'written' : condition;
  const accessError = accessErrorOf(error, write.tableName);
  if (!attempts.mayHaveBeenApplied && !write.retry) {
    return (
      accessError ??
      new EventStoreWriteError(streamId, expectedVersion, 'not-written', { cause: error, eventIds })
    );
  }
  const stored = await firstEventIdAt(write).catch(() => undefined);
  if (stored === eventIds[0]) return 'written';
  if (typeof stored === 'string') {
    return new ConcurrencyError(streamId, expectedVersion, expectedVersion + 1, {
      cause: error,
      eventIds,
    });
  }
  return new EventStoreWriteError(streamId, expectedVersion, 'unknown', { cause: error, eventIds });
}

/** The event id stored at the append's first version: a string, null when the version is free. */
async function firstEventIdAt({
  client,
  tableName,
  streamId,
  expectedVersion,
}: FailedWrite): Promise<string | null> {
  const { Items = [] } = await sendQuery(
    client,
    streamQueries.at(tableName, streamId, expectedVersion + 1, [A.eventId]),
  );
  return Items[0]?.[A.eventId]?.S ?? null;
}
