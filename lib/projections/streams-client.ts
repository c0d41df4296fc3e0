import {
  DynamoDBStreamsClient,
  type DynamoDBStreamsClientConfig,
} from '@aws-sdk/client-dynamodb-streams';
import { type DynamoDBClientSettings, requestSettingsOf } from '../dynamodb/client.js';

/**
 * The DynamoDB Streams client the projections module creates: the timeouts, attempts and backoff of the DynamoDB
 * client's settings, and its endpoint, region and credentials (a local endpoint serves both APIs; on AWS the SDK
 * finds the Streams endpoint of the region). `streamsClientConfig` wins.
 */
export function createDynamoDBStreamsClient(
  settings: DynamoDBClientSettings,
  streamsClientConfig: DynamoDBStreamsClientConfig = {},
): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    ...requestSettingsOf(settings),
    ...settings.clientConfig,
    ...streamsClientConfig,
  });
}
