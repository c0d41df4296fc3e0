import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_KEY_ATTRIBUTES, idempotencyKeyPartition } from '../items/idempotency-item.js';
import { IDEMPOTENCY_KEY_SORT_KEY, type WireItem } from '../table-layout.js';
import { sendQuery, streamQueries } from './query.js';

/** A command's idempotency key item as stored, expired or not, read strongly consistent; undefined when none. */
export async function readIdempotencyItem(
  client: DynamoDBClient,
  tableName: string,
  key: string,
): Promise<WireItem | undefined> {
  const { Items = [] } = await sendQuery(
    client,
    streamQueries.at(
      tableName,
      idempotencyKeyPartition(key),
      IDEMPOTENCY_KEY_SORT_KEY,
      IDEMPOTENCY_KEY_ATTRIBUTES,
    ),
  );
  return Items[0];
}
