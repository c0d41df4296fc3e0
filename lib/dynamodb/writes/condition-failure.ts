import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { ConcurrencyError } from '../../core/errors.js';
import {
  EVENT_TABLE_ATTRIBUTES as A,
  SNAPSHOT_SORT_KEY,
  type WireItem as Item,
} from '../table-layout.js';

/**
 * What a write refused for a failed condition means. `ours` when every event of the save is already stored with the
 * save's own event ids: an earlier attempt was applied and its answer lost, so the save succeeded. A
 * ConcurrencyError when another writer holds one of the versions. Undefined when the error is no condition failure.
 * Errors are matched by name, not class, so that a DynamoDBClient from another copy of the SDK is understood too.
 */
export function classifyConditionFailure(
  error: unknown,
  streamId: string,
  expectedVersion: number,
  eventIds: readonly string[],
): 'ours' | ConcurrencyError | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  let stored: (Item | undefined)[];
  if (name === 'ConditionalCheckFailedException') {
    stored = [(error as { Item?: Item }).Item];
  } else if (name === 'TransactionCanceledException') {
    const reasons =
      (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    if (!reasons.some(isConflict)) return undefined;
    stored = reasons
      .slice(0, eventIds.length)
      .map((reason) => (reason.Code === 'ConditionalCheckFailed' ? reason.Item : undefined));
  } else {
    return undefined;
  }
  const ours = eventIds.every((eventId, index) => stored[index]?.[A.eventId]?.S === eventId);
  if (ours) return 'ours';
  const found = stored.map(versionOf).find((version) => version !== undefined);
  return new ConcurrencyError(streamId, expectedVersion, found, { cause: error, eventIds });
}

function isConflict(reason: CancellationReason): boolean {
  return reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict';
}

function versionOf(item: Item | undefined): number | undefined {
  const version = item?.[A.version]?.N;
  return version === undefined || Number(version) === SNAPSHOT_SORT_KEY
    ? undefined
    : Number(version);
}
