import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import { ConcurrencyError } from './errors.js';
import { SNAPSHOT_SORT_KEY, SORT_KEY } from './event-item.js';

/**
 * Recognises a write rejected because another writer got there first. Errors are matched by name, not class,
 * so that a DynamoDBClient from another copy of the SDK is understood too.
 */
export function asConcurrencyError(
  error: unknown,
  streamId: string,
  expectedVersion: number,
): ConcurrencyError | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'ConditionalCheckFailedException') {
    const item = (error as { Item?: Record<string, AttributeValue> }).Item;
    return new ConcurrencyError(streamId, expectedVersion, versionOf(item), { cause: error });
  }
  if (name === 'TransactionCanceledException') {
    const reasons =
      (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    if (!reasons.some(isConflict)) return undefined;
    const taken = reasons
      .filter((reason) => reason.Code === 'ConditionalCheckFailed')
      .map((reason) => versionOf(reason.Item))
      .find((version) => version !== undefined);
    return new ConcurrencyError(streamId, expectedVersion, taken, { cause: error });
  }
  return undefined;
}

function isConflict(reason: CancellationReason): boolean {
  return reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict';
}

function versionOf(item: Record<string, AttributeValue> | undefined): number | undefined {
  const version = item?.[SORT_KEY]?.N;
  return version === undefined || Number(version) === SNAPSHOT_SORT_KEY
    ? undefined
    : Number(version);
}
