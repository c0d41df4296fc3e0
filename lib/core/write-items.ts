import {
  type DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
  TransactWriteItemsCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { SORT_KEY, type WireItem } from './event-item.js';
import { SNAPSHOT_VERSION_ATTRIBUTE } from './snapshot-item.js';

const VERSION_IS_FREE = 'attribute_not_exists(#version)';
const SNAPSHOT_IS_NEWER = 'attribute_not_exists(#version) OR #snapshotVersion < :snapshotVersion';

/**
 * Writes the items of one save in one request: a lone event with a conditional PutItem (1 WCU per KB), anything
 * more with one TransactWriteItems (2 WCU per KB), where either every item is written or none is.
 */
export async function writeItems(
  client: DynamoDBClient,
  tableName: string,
  events: readonly WireItem[],
  snapshot: WireItem | undefined,
): Promise<void> {
  const putEvent = (item: WireItem): PutItemCommandInput => ({
    TableName: tableName,
    Item: item,
    ConditionExpression: VERSION_IS_FREE,
    ExpressionAttributeNames: { '#version': SORT_KEY },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  if (events.length === 1 && !snapshot) {
    await client.send(new PutItemCommand(putEvent(events[0]!)));
    return;
  }
  const puts: TransactWriteItem[] = events.map((item) => ({ Put: putEvent(item) }));
  if (snapshot) {
    puts.push({
      Put: {
        TableName: tableName,
        Item: snapshot,
        ConditionExpression: SNAPSHOT_IS_NEWER,
        ExpressionAttributeNames: {
          '#version': SORT_KEY,
          '#snapshotVersion': SNAPSHOT_VERSION_ATTRIBUTE,
        },
        ExpressionAttributeValues: { ':snapshotVersion': snapshot[SNAPSHOT_VERSION_ATTRIBUTE]! },
      },
    });
  }
  await client.send(new TransactWriteItemsCommand({ TransactItems: puts }));
}
