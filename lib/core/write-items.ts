import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { SORT_KEY, type EventItem } from './event-item.js';
import { SNAPSHOT_VERSION_ATTRIBUTE, type SnapshotItem } from './snapshot-item.js';

const VERSION_IS_FREE = 'attribute_not_exists(#version)';
const SNAPSHOT_IS_NEWER = 'attribute_not_exists(#version) OR #snapshotVersion < :snapshotVersion';

/**
 * Writes the items of one save in one request: a lone event with a conditional PutItem (1 WCU per KB), anything
 * more with one TransactWriteItems (2 WCU per KB), where either every item is written or none is.
 */
export async function writeItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  events: readonly EventItem[],
  snapshot: SnapshotItem | undefined,
): Promise<void> {
  const putEvent = (item: EventItem) => ({
    TableName: tableName,
    Item: item,
    ConditionExpression: VERSION_IS_FREE,
    ExpressionAttributeNames: { '#version': SORT_KEY },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  });
  if (events.length === 1 && !snapshot) {
    await client.send(new PutCommand(putEvent(events[0]!)));
    return;
  }
  const puts: NonNullable<TransactWriteCommandInput['TransactItems']> = events.map((item) => ({
    Put: putEvent(item),
  }));
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
        ExpressionAttributeValues: { ':snapshotVersion': snapshot.snapshotVersion },
      },
    });
  }
  await client.send(new TransactWriteCommand({ TransactItems: puts }));
}
