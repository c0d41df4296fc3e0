import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import type { StreamIdsPage, StreamSegment } from '../../core/types.js';
import { asTypedSdkError } from '../sdk-errors.js';
import { EVENT_TABLE_ATTRIBUTES as A, type WireItem } from '../table-layout.js';

/**
 * One segment of a parallel Scan of the events table, asking for the first version of each stream only: one item
 * per stream comes back instead of every event (measured on 20,000 events of 500 streams: 500 items against
 * 20,000, in half the time). DynamoDB charges the Scan for every item it reads either way.
 */
export async function* listStreams(
  client: DynamoDBClient,
  tableName: string,
  { index, count, after }: StreamSegment,
): AsyncGenerator<StreamIdsPage> {
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      Segment: index,
      TotalSegments: count,
      FilterExpression: '#version = :first',
      ProjectionExpression: '#stream',
      ExpressionAttributeNames: { '#version': A.version, '#stream': A.streamId },
      ExpressionAttributeValues: { ':first': { N: '1' } },
      ConsistentRead: true,
      ExclusiveStartKey: after === undefined ? undefined : (JSON.parse(after) as WireItem),
    },
  );
  try {
    for await (const page of pages) {
      yield {
        streamIds: (page.Items ?? []).map((item) => item[A.streamId]!.S!),
        resumeAfter: page.LastEvaluatedKey && JSON.stringify(page.LastEvaluatedKey),
      };
    }
  } catch (error) {
    throw asTypedSdkError(error, tableName);
  }
}
