import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { DynamoEventStoreModuleOptions } from './dynamo-event-store-options.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
const DEFAULT_CONNECTION_TIMEOUT_MS = 1000;
const SDK_DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The client the module creates when it is given none: request and connection timeouts (the SDK sets none, so a
 * lost answer would hang a save), attempts and backoff from the options. Anything in `clientConfig` wins.
 */
export function createDynamoDBClient(options: DynamoEventStoreModuleOptions): DynamoDBClient {
  const maxAttempts = options.maxAttempts ?? SDK_DEFAULT_MAX_ATTEMPTS;
  return new DynamoDBClient({
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without it the SDK only logs a warning when a request outlives requestTimeout, and the save waits on.
      throwOnRequestTimeout: true,
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    },
    maxAttempts,
    ...(options.retryBackoff
      ? { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, options.retryBackoff) }
      : {}),
    ...options.clientConfig,
  });
}
