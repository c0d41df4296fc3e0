import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBClient, dynamoDBClientConfig } from '../dynamodb/client.js';
import { createEventStoreTable } from '../dynamodb/table.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { assertTableName, helpCommandOf, parseCommandLine } from './command-line.js';
import { dynamoDBFailureMessage } from './failure-message.js';
import { CLI_NAME, CREATE_TABLES_USAGE } from './usage.js';

const COMMAND = 'create-tables';
const HELP_COMMAND = helpCommandOf(COMMAND);

interface CreateTablesOptions {
  readonly table: string;
  readonly endpoint?: string;
  readonly region?: string;
}

/** `create-tables`: creates the events table, or accepts an existing one with the store's key schema. */
export async function createTables(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(CREATE_TABLES_USAGE);
    return EXIT_OK;
  }
  const options = parseCreateTablesArgs(args, io.env);
  const client = createDynamoDBClient({ clientConfig: dynamoDBClientConfig(options, io.env) });
  const where = await describeTarget(client, options.endpoint);
  try {
    const outcome = await createEventStoreTable(client, options.table);
    io.stdout.write(
      outcome === 'created'
        ? `Created table "${options.table}" ${where}.\n`
        : `Table "${options.table}" ${where} already exists with the event store's key schema; left unchanged.\n`,
    );
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`${CLI_NAME}: ${dynamoDBFailureMessage(error, options.table, where)}\n`);
    return EXIT_FAILURE;
  } finally {
    client.destroy();
  }
}

function parseCreateTablesArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CreateTablesOptions {
  const values = parseCommandLine(COMMAND, args, {
    table: { type: 'string' },
    endpoint: { type: 'string' },
    region: { type: 'string' },
  });

  const table = values.table || env.EVENTS_TABLE;
  if (!table)
    throw new CliUsageError(
      'Missing the table name: pass --table <name> or set EVENTS_TABLE.',
      HELP_COMMAND,
    );
  assertTableName(table, COMMAND);

  const endpoint = values.endpoint || env.DYNAMODB_ENDPOINT || undefined;
  if (endpoint !== undefined && !isHttpUrl(endpoint))
    throw new CliUsageError(
      `Invalid endpoint "${endpoint}": expected an http or https URL such as http://localhost:8000.`,
      HELP_COMMAND,
    );

  return { table, endpoint, region: values.region || undefined };
}

/** "at http://localhost:8000" or "in AWS region eu-west-1", for messages. */
async function describeTarget(
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
