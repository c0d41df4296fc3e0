import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { classifyConditionFailure } from './conflicts.js';
import { ConcurrencyError, EventStoreWriteError } from './errors.js';
import { PARTITION_KEY, SORT_KEY } from './event-item.js';
import { asAccessError } from './failure-kinds.js';
import type { WriteAttempts } from './write-attempts.js';

export interface FailedWrite {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly eventIds: readonly string[];
  readonly attempts: WriteAttempts;
}

/**
 * Finds out, rather than guesses, what a failed write did. A condition failure is checked against the stored items'
 * event ids. A failure after which an attempt may have been applied is settled by reading the save's first version
 * back: ours means written, another writer's means a conflict, nothing means the outcome is still unknown (a
 * delayed request may yet land). Returns `written`, or the error to throw.
 */
export async function resolveFailedWrite(
  error: unknown,
  write: FailedWrite,
): Promise<'written' | Error> {
  const { streamId, expectedVersion, eventIds, attempts } = write;
  const condition = classifyConditionFailure(error, streamId, expectedVersion, eventIds);
  if (condition) return condition === 'ours' ? 'written' : condition;
  if (!attempts.mayHaveBeenApplied) {
    return (
      asAccessError(error, write.tableName) ??
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

/** The event id stored at the save's first version: a string, null when the version is free. */
async function firstEventIdAt({
  client,
  tableName,
  streamId,
  expectedVersion,
}: FailedWrite): Promise<string | null> {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#stream = :stream AND #version = :version',
      ExpressionAttributeNames: {
        '#stream': PARTITION_KEY,
        '#version': SORT_KEY,
        '#eventId': 'eventId',
      },
      ExpressionAttributeValues: {
        ':stream': { S: streamId },
        ':version': { N: String(expectedVersion + 1) },
      },
      ProjectionExpression: '#eventId',
      ConsistentRead: true,
    }),
  );
  return Items[0]?.eventId?.S ?? null;
}
