import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { eventItem } from './event-pages.js';

/**
 * One event item in castore's layout (DynamoDBSingleTableEventStorageAdapter), as DynamoDB sends it on the wire:
 * the same event as `eventItem` in this library's layout, with payload and metadata as nested maps instead of JSON
 * text. The partition key is `<eventStoreId>#<aggregateId>`; castore writes `eventStoreId` on initial events only,
 * for its GSI, and has no event id or schema version.
 */
export function castoreEventItem(
  eventStoreId: string,
  accountId: string,
  version: number,
): Record<string, AttributeValue> {
  const ours = eventItem(`${eventStoreId}#${accountId}`, accountId, version);
  return {
    aggregateId: ours.streamId!,
    version: ours.version!,
    type: ours.type!,
    timestamp: ours.recordedAt!,
    payload: { M: marshall(JSON.parse(ours.payload!.S!) as Record<string, unknown>) },
    metadata: { M: marshall(JSON.parse(ours.metadata!.S!) as Record<string, unknown>) },
    ...(version === 1 ? { eventStoreId: { S: eventStoreId } } : {}),
  };
}

/** A Query response body holding versions `from`…`to` of an aggregate in castore's layout, in one page. */
export function castoreEventPage(
  eventStoreId: string,
  accountId: string,
  from: number,
  to: number,
): string {
  const items = [];
  for (let version = from; version <= to; version++)
    items.push(castoreEventItem(eventStoreId, accountId, version));
  return JSON.stringify({ Items: items, Count: items.length, ScannedCount: items.length });
}
