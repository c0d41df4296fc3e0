import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

export interface DynamoDBTarget {
  /** Unset: the AWS endpoint of the region. */
  readonly endpoint?: string;
  /** Unset: the SDK's own resolution (AWS_REGION, AWS_PROFILE's config). */
  readonly region?: string;
}

/** How the clients this package creates behave when DynamoDB is slow or failing. */
export interface DynamoDBClientSettings {
  /**
   * How long a request may take before the SDK abandons it and tries again, in milliseconds. Default 3000: the SDK
   * itself waits forever.
   */
  readonly requestTimeoutMs?: number;
  /** How long to wait for a connection, in milliseconds. Default 1000. */
  readonly connectionTimeoutMs?: number;
  /**
   * Attempts per request, the first included, when DynamoDB throttles, fails with a 5xx, times out or the connection
   * is lost. Default 3, the SDK's.
   */
  readonly maxAttempts?: number;
  /** Milliseconds to wait before retry number `attempt` (1, 2, …). Default: the SDK's backoff with jitter. */
  readonly retryBackoff?: (attempt: number) => number;
  /**
   * Sockets the client opens to DynamoDB at most, at once; further requests wait for one. Default 50, the SDK's.
   * Raise it for an application that reads long histories and saves at the same time from one client.
   */
  readonly maxSockets?: number;
  /** Any other setting of the SDK's (region, endpoint, credentials…); it wins over the above. */
  readonly clientConfig?: DynamoDBClientConfig;
}

const DEFAULT_LOCAL_REGION = 'us-east-1';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
const DEFAULT_CONNECTION_TIMEOUT_MS = 1000;
const SDK_DEFAULT_MAX_ATTEMPTS = 3;

/**
 * Client settings for an endpoint, or for AWS when there is none. Local emulators (DynamoDB Local, moto) need a
 * region and some credentials but check neither, so a loopback endpoint gets dummy credentials unless
 * AWS_ACCESS_KEY_ID is set; anything else is left to the SDK's default chains.
 */
export function dynamoDBClientConfig(
  { endpoint, region }: DynamoDBTarget,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DynamoDBClientConfig {
  const resolvedRegion = region ?? env.AWS_REGION ?? (endpoint ? DEFAULT_LOCAL_REGION : undefined);
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(resolvedRegion ? { region: resolvedRegion } : {}),
    ...(endpoint && isLoopback(endpoint) && !env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
}

/**
 * The one way this package creates a DynamoDB client (the module, the CLI, the testing kit): request and connection
 * timeouts (the SDK sets none, so a lost answer would hang a save), attempts and backoff. Anything in
 * `clientConfig` wins.
 */
export function createDynamoDBClient(settings: DynamoDBClientSettings = {}): DynamoDBClient {
  return new DynamoDBClient({ ...requestSettingsOf(settings), ...settings.clientConfig });
}

/**
 * The timeouts, attempts and backoff of `settings` as any AWS SDK client's configuration takes them, for the other
 * clients this package creates (the DynamoDB Streams client of the projections).
 */
export function requestSettingsOf(settings: DynamoDBClientSettings) {
  const maxAttempts = settings.maxAttempts ?? SDK_DEFAULT_MAX_ATTEMPTS;
  return {
    requestHandler: {
      requestTimeout: settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without it the SDK only logs a warning when a request outlives requestTimeout, and the save waits on.
      throwOnRequestTimeout: true,
      connectionTimeout: settings.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      // Agent options, merged by the SDK over its own (keep-alive, 50 sockets).
      ...(settings.maxSockets === undefined
        ? {}
        : {
            httpAgent: { maxSockets: settings.maxSockets },
            httpsAgent: { maxSockets: settings.maxSockets },
          }),
    },
    maxAttempts,
    ...(settings.retryBackoff
      ? { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, settings.retryBackoff) }
      : {}),
  };
}

function isLoopback(endpoint: string): boolean {
  return URL.canParse(endpoint) && LOOPBACK_HOSTS.has(new URL(endpoint).hostname);
}
