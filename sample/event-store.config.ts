import type { ConfigService } from '@nestjs/config';
import { dynamoDBClientConfig, type DynamoEventStoreModuleOptions } from 'nestjs-dynamo-es';

/** The event store's settings from the environment: EVENTS_TABLE, DYNAMODB_ENDPOINT, AWS_REGION. */
export function eventStoreOptions(config: ConfigService): DynamoEventStoreModuleOptions {
  return {
    tableName: config.get<string>('EVENTS_TABLE', 'events'),
    clientConfig: dynamoDBClientConfig({
      endpoint: config.get<string>('DYNAMODB_ENDPOINT'),
      region: config.get<string>('AWS_REGION'),
    }),
  };
}
