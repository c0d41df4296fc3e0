import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  DynamoDBClient,
  PutItemCommandInput,
  TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { isCancelledOnlyByTransactionConflicts } from '../sdk-errors.js';
import { EVENT_TABLE_ATTRIBUTES as A } from '../table-layout.js';
import {
  WatchedPutItemCommand,
  WatchedTransactWriteItemsCommand,
  type WriteAttempts,
} from './write-attempts.js';
import type { PlannedItem } from './write-plan.js';

const VERSION_IS_FREE = 'attribute_not_exists(#version)';
const SNAPSHOT_IS_NEWER = 'attribute_not_exists(#version) OR #snapshotVersion < :snapshotVersion';
const KEY_IS_FREE = 'attribute_not_exists(#version) OR #expiresAt <= :now';
const CONFLICT_BACKOFF_MS = 25;

export interface WriteOptions {
  /** How many times a transaction cancelled by another one touching the same items is tried again. */
  readonly transactionConflictRetries: number;
  /** A lone item too goes in a TransactWriteItems: for tables whose policy allows writes inside transactions only. */
  readonly transactionsOnly: boolean;
  readonly attempts: WriteAttempts;
}

/**
 * Writes the items of one append in one request: a lone item with a conditional PutItem (1 WCU per KB), unless
 * `transactionsOnly`, anything more with one TransactWriteItems (2 WCU per KB), where either every item is written
 * or none is. Every item asks
 * DynamoDB for the stored item when its condition fails, so that a retry that meets its own earlier write can tell.
 */
export async function writeItems(
  client: DynamoDBClient,
  tableName: string,
  planned: readonly PlannedItem[],
  { transactionConflictRetries, transactionsOnly, attempts }: WriteOptions,
): Promise<void> {
  const puts = planned.map((p) => conditionalPut(tableName, p));
  if (puts.length === 1 && !transactionsOnly) {
    await client.send(attempts.watch(new WatchedPutItemCommand(puts[0]!)));
    return;
  }
  const transactItems: TransactWriteItem[] = puts.map((Put) => ({ Put }));
  for (let conflicts = 0; ; conflicts++) {
    try {
      const command = new WatchedTransactWriteItemsCommand({
        TransactItems: transactItems,
        ClientRequestToken: requestToken(transactItems, conflicts),
      });
      await client.send(attempts.watch(command));
      return;
    } catch (error) {
      if (
        !isCancelledOnlyByTransactionConflicts(error) ||
        conflicts >= transactionConflictRetries
      ) {
        throw error;
      }
      await sleep(CONFLICT_BACKOFF_MS * 2 ** conflicts * (0.5 + Math.random()));
    }
  }
}

/** An item's Put, on the condition its kind needs: a free version, an older snapshot, a free or expired key. */
function conditionalPut(TableName: string, { kind, item }: PlannedItem): PutItemCommandInput {
  const put = { TableName, Item: item, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const;
  switch (kind) {
    case 'event':
      return {
        ...put,
        ConditionExpression: VERSION_IS_FREE,
        ExpressionAttributeNames: { '#version': A.version },
      };
    case 'snapshot':
      return {
        ...put,
        ConditionExpression: SNAPSHOT_IS_NEWER,
        ExpressionAttributeNames: { '#version': A.version, '#snapshotVersion': A.snapshotVersion },
        ExpressionAttributeValues: { ':snapshotVersion': item[A.snapshotVersion]! },
      };
    case 'idempotency key':
      return {
        ...put,
        ConditionExpression: KEY_IS_FREE,
        ExpressionAttributeNames: { '#version': A.version, '#expiresAt': A.expiresAt },
        ExpressionAttributeValues: { ':now': { N: String(Math.floor(Date.now() / 1000)) } },
      };
  }
}

/**
 * The idempotency token of a transaction: the same append sends the same token, so that DynamoDB applies it once
 * however often it is sent within 10 minutes. It is made of the items alone: their conditions follow from their kinds,
 * and a key's condition names the time it is sent. A retry after a conflict is a new request, with a new token.
 */
function requestToken(transactItems: readonly TransactWriteItem[], conflicts: number): string {
  return createHash('sha256')
    .update(JSON.stringify(transactItems.map(({ Put }) => Put!.Item)))
    .update(String(conflicts))
    .digest('base64url')
    .slice(0, 36);
}
