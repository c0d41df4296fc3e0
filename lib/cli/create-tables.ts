import { parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDBClient, dynamoDBClientConfig } from '../dynamodb/client.js';
import { createEventStoreTable } from '../dynamodb/table.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { dynamoDBFailureMessage } from './failure-message.js';
import { CLI_NAME, CREATE_TABLES_USAGE } from './usage.js';

const HELP_COMMAND = `${CLI_NAME} create-tables --help`;
/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

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
  const { values, positionals } = parseOrThrowUsage(args);
  if (positionals.length > 0)
    throw new CliUsageError(`Unexpected argument "${positionals[0]}".`, HELP_COMMAND);

  const table = values.table || env.EVENTS_TABLE;
  if (!table)
    throw new CliUsageError(
      'Missing the table name: pass --table <name> or set EVENTS_TABLE.',
      HELP_COMMAND,
    );
  if (!TABLE_NAME.test(table))
    throw new CliUsageError(
      `Invalid table name "${table}": DynamoDB needs 3 to 255 letters, digits, "_", "-" or ".".`,
      HELP_COMMAND,
    );

  const endpoint = values.endpoint || env.DYNAMODB_ENDPOINT || undefined;
  if (endpoint !== undefined && !isHttpUrl(endpoint))
    throw new CliUsageError(
      `Invalid endpoint "${endpoint}": expected an http or https URL such as http://localhost:8000.`,
      HELP_COMMAND,
    );

  return { table, endpoint, region: values.region || undefined };
}

function parseOrThrowUsage(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: {
        table: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-{1,2}[\w-]+)/.exec(message)?.[1] ?? '';
    throw new CliUsageError(
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `Unknown option "${option}" for create-tables.`
        : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? `Option ${option} needs a value.`
          : message,
      HELP_COMMAND,
    );
  }
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
