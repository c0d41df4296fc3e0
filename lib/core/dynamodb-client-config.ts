import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

export interface DynamoDBTarget {
  /** Unset: the AWS endpoint of the region. */
  readonly endpoint?: string;
  /** Unset: the SDK's own resolution (AWS_REGION, AWS_PROFILE's config). */
  readonly region?: string;
}

const DEFAULT_LOCAL_REGION = 'us-east-1';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

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

function isLoopback(endpoint: string): boolean {
  return LOOPBACK_HOSTS.has(new URL(endpoint).hostname);
}
