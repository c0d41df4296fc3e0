import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { EVENT_TABLE_PK, EVENT_TABLE_SK } from '@castore/event-storage-adapter-dynamodb';
import { sampleEvent } from './event-pages.js';
import type { StubTableKeys } from './stub-table.js';

/** castore's marshall options (its constants.js; not exported). */
const MARSHALL_OPTIONS = { convertEmptyValues: false, removeUndefinedValues: true };

/** castore's events table, for a StubTable: partition = `<eventStoreId>#<aggregateId>`, sort = version. */
export function castoreTableKeys(tableName: string): StubTableKeys {
  return { tableName, partitionKey: EVENT_TABLE_PK, sortKey: EVENT_TABLE_SK };
}

/**
 * One event item in castore's layout (DynamoDBSingleTableEventStorageAdapter), in the SDK's form: the sample event
 * of `sampleEvent`, the same content as this library's canned item, made the way castore's pushEvent makes it
 * (getPushEventInput: `marshall` of the event with its MARSHALL_OPTIONS), so payload and metadata are nested maps.
 * castore writes `eventStoreId` on initial events only, for its GSI, and has no event id or schema version.
 * layout-check.ts checks, before timing, that castore writes exactly this item.
 */
export function castoreEventItem(
  eventStoreId: string,
  accountId: string,
  version: number,
): Record<string, AttributeValue> {
  const event = sampleEvent(accountId, version);
  return marshall(
    {
      aggregateId: `${eventStoreId}#${accountId}`,
      version,
      type: event.type,
      timestamp: event.recordedAt.toISOString(),
      payload: event.payload,
      metadata: event.metadata,
      ...(version === 1 ? { eventStoreId } : {}),
    },
    MARSHALL_OPTIONS,
  );
}

/** Versions `from`…`to` of an aggregate in castore's layout, for a StubTable. */
export function castoreEventItems(
  eventStoreId: string,
  accountId: string,
  from: number,
  to: number,
): Record<string, AttributeValue>[] {
  const items = [];
  for (let version = from; version <= to; version++)
    items.push(castoreEventItem(eventStoreId, accountId, version));
  return items;
}
