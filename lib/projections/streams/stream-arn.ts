import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { asTypedSdkError } from '../../dynamodb/sdk-errors.js';
import { StreamNotEnabledError } from './stream-errors.js';

const VIEW_TYPES_WITH_NEW_IMAGES = new Set(['NEW_IMAGE', 'NEW_AND_OLD_IMAGES']);

/**
 * The ARN of the events table's current stream. A table whose stream was turned off keeps its LatestStreamArn for
 * the stream's last 24 hours; it is refused all the same, since no new event would ever arrive on it.
 *
 * @throws StreamNotEnabledError when the table has no stream, or one without new images.
 * @throws TableNotFoundError, AccessDeniedError as the store's reads do.
 */
export async function latestStreamArnOf(
  client: DynamoDBClient,
  tableName: string,
): Promise<string> {
  let table;
  try {
    ({ Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName })));
  } catch (error) {
    throw asTypedSdkError(error, tableName);
  }
  const specification = table?.StreamSpecification;
  if (!specification?.StreamEnabled || !table?.LatestStreamArn) {
    throw new StreamNotEnabledError(tableName);
  }
  const viewType = specification.StreamViewType;
  if (viewType !== undefined && !VIEW_TYPES_WITH_NEW_IMAGES.has(viewType)) {
    throw new StreamNotEnabledError(tableName, viewType);
  }
  return table.LatestStreamArn;
}
