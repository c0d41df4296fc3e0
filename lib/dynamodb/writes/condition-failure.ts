import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { ConcurrencyError, IdempotencyKeyInUseError } from '../../core/errors.js';
import { eventIdOf } from '../items/event-item.js';
import { isKeyOnlyWriteOf, toStoredIdempotencyKey } from '../items/idempotency-item.js';
import {
  EVENT_TABLE_ATTRIBUTES as A,
  SNAPSHOT_SORT_KEY,
  type WireItem as Item,
} from '../table-layout.js';
import type { PlannedItem } from './write-plan.js';

/**
 * What a write refused for a failed condition means. `ours` when every event of the save is already stored with the
 * save's own event ids (or, for a key alone, the key with the save's fingerprint): an earlier attempt was applied
 * and its answer lost, so the save succeeded. A ConcurrencyError naming the stream when another writer holds one of
 * its versions; IdempotencyKeyInUseError when another command holds the key. Undefined when the error is no
 * condition failure. Errors are matched by name, not class, so that a DynamoDBClient from another copy of the SDK is
 * understood too.
 */
export function classifyConditionFailure(
  error: unknown,
  planned: readonly PlannedItem[],
): 'ours' | ConcurrencyError | IdempotencyKeyInUseError | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  let reasons: { readonly code: string; readonly stored?: Item }[];
  if (name === 'ConditionalCheckFailedException') {
    reasons = [{ code: 'ConditionalCheckFailed', stored: (error as { Item?: Item }).Item }];
  } else if (name === 'TransactionCanceledException') {
    const cancelled =
      (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    if (!cancelled.some(isConflict)) return undefined;
    reasons = cancelled.map((reason) => ({
      code: reason.Code ?? 'None',
      stored: reason.Code === 'ConditionalCheckFailed' ? reason.Item : undefined,
    }));
  } else {
    return undefined;
  }
  const options = {
    cause: error,
    eventIds: planned.flatMap((p) => (p.kind === 'event' ? [p.eventId] : [])),
  };
  const events = planned.flatMap((p, index) =>
    p.kind === 'event' ? [{ p, reason: reasons[index] }] : [],
  );
  const ours =
    events.length > 0
      ? events.every(({ p, reason }) => reason?.stored && eventIdOf(reason.stored) === p.eventId)
      : planned.some((p, index) => {
          const stored = reasons[index]?.stored;
          return p.kind === 'idempotency key' && stored && isKeyOnlyWriteOf(stored, p.fingerprint);
        });
  if (ours) return 'ours';

  for (const [index, p] of planned.entries()) {
    const { stored } = reasons[index] ?? {};
    if (p.kind === 'event' && stored && eventIdOf(stored) !== p.eventId) {
      return new ConcurrencyError(p.streamId, p.expectedVersion, versionOf(stored), options);
    }
  }
  for (const [index, p] of planned.entries()) {
    const { stored } = reasons[index] ?? {};
    if (p.kind === 'idempotency key' && stored) {
      return new IdempotencyKeyInUseError(p.key, toStoredIdempotencyKey(stored), { cause: error });
    }
  }
  const refused = planned.find(
    (p, index) => p.kind !== 'idempotency key' && reasons[index]?.code !== 'None',
  );
  const stream = refused ?? planned.find((p) => p.kind !== 'idempotency key');
  if (stream && stream.kind !== 'idempotency key') {
    return new ConcurrencyError(stream.streamId, stream.expectedVersion, undefined, options);
  }
  return undefined;
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
