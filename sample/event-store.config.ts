import type { ConfigService } from '@nestjs/config';
import type { DynamoEventStoreModuleOptions } from 'nestjs-dynamo-es';

/** The event store's settings from the environment: EVENTS_TABLE, DYNAMODB_ENDPOINT, AWS_REGION. */
export function eventStoreOptions(config: ConfigService): DynamoEventStoreModuleOptions {
  const endpoint = config.get<string>('DYNAMODB_ENDPOINT');
  const local = endpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(endpoint);
  return {
    tableName: config.get<string>('EVENTS_TABLE', 'events'),
    clientConfig: {
      region: config.get<string>('AWS_REGION', 'us-east-1'),
      endpoint,
      // Local emulators accept any credentials but the SDK insists on having some.
      ...(local && !config.get('AWS_ACCESS_KEY_ID')
        ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    },
  };
}
