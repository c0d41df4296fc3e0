import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBClient, dynamoDBClientConfig } from '../dynamodb/client.js';
import { CliUsageError } from './cli-usage-error.js';
import { assertTableName, helpCommandOf } from './command-line.js';

/** The options of every command that talks to DynamoDB itself, as parseCommandLine takes them. */
export const TARGET_OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
} as const;

/** Where a command's requests go: --endpoint, else $DYNAMODB_ENDPOINT, else AWS; --region, else the SDK's. */
export interface CliTarget {
  readonly endpoint?: string;
  readonly region?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function targetOf(
  values: { readonly endpoint?: string; readonly region?: string },
  env: Env,
  command: string,
): CliTarget {
  const endpoint = values.endpoint || env.DYNAMODB_ENDPOINT || undefined;
  if (endpoint !== undefined && !isHttpUrl(endpoint))
    throw new CliUsageError(
      `Invalid endpoint "${endpoint}": expected an http or https URL such as http://localhost:8000.`,
      helpCommandOf(command),
    );
  return { endpoint, region: values.region || undefined };
}

/** --table, else $EVENTS_TABLE; a usage error without either. */
export function eventsTableOf(table: string | undefined, env: Env, command: string): string {
  const name = table || env.EVENTS_TABLE;
  if (!name)
    throw new CliUsageError(
      'Missing the table name: pass --table <name> or set EVENTS_TABLE.',
      helpCommandOf(command),
    );
  assertTableName(name, command);
  return name;
}

/** The CLI's DynamoDB client: the package's one factory, with a local endpoint's dummy credentials. */
export function cliClient(target: CliTarget, env: Env): DynamoDBClient {
  return createDynamoDBClient({ clientConfig: dynamoDBClientConfig(target, env) });
}

/** "at http://localhost:8000" or "in AWS region eu-west-1", for messages. */
export async function describeTarget(
  client: DynamoDBClient,
  endpoint: string | undefined,
): Promise<string> {
  if (endpoint) return `at ${endpoint}`;
  try {
    return `in AWS region ${await client.config.region()}`;
  } catch {
    return 'on AWS';
  }
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'http:' || protocol === 'https:';
}
