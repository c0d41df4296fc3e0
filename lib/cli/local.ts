import { launchLocalDynamoDB } from '../testing/local-dynamodb.js';
import { LocalDynamoDBStartError } from '../testing/local-dynamodb-errors.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import {
  assertDistinctTables,
  assertTableName,
  helpCommandOf,
  parseCommandLine,
} from './command-line.js';
import { dynamoDBFailureMessage } from './failure-message.js';
import { EVENTS_TABLE_KIND, LEASE_TABLE_KIND, VIEWS_TABLE_KIND } from './table-kinds.js';
import { CLI_NAME, LOCAL_USAGE } from './usage.js';

const COMMAND = 'local';
const HELP_COMMAND = helpCommandOf(COMMAND);
/** DynamoDB Local's port, so that the same DYNAMODB_ENDPOINT serves either. */
const DEFAULT_PORT = 8000;
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_TABLE = 'events';
/** moto keeps tables per region: the one printed is the one they are created in. */
const DEFAULT_REGION = 'us-east-1';

interface LocalOptions {
  readonly port: number;
  readonly host: string;
  readonly tables: readonly string[];
  /** None unless --views-table names one. */
  readonly viewsTable?: string;
  /** None unless --lease-table names one. */
  readonly leaseTable?: string;
  readonly region: string;
}

/**
 * `local`: runs moto with the events table(s), and the projections' views and lease tables when they are named, until
 * interrupted, and says how to point an application at it.
 */
export async function local(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(LOCAL_USAGE);
    return EXIT_OK;
  }
  const options = parseLocalArgs(args, io.env);
  // Asked for before starting, so that a Ctrl-C during the start still stops moto cleanly.
  const interrupted = io.untilInterrupted?.() ?? new Promise<void>(() => {});

  let dynamodb;
  try {
    dynamodb = await launchLocalDynamoDB({
      port: options.port,
      host: options.host,
      tables: options.tables,
      viewTables: options.viewsTable === undefined ? [] : [options.viewsTable],
      leaseTables: options.leaseTable === undefined ? [] : [options.leaseTable],
      region: options.region,
      python: io.env.PYTHON || undefined,
    });
  } catch (error) {
    io.stderr.write(`${CLI_NAME}: ${startFailureMessage(error, options)}\n`);
    return EXIT_FAILURE;
  }
  io.stdout.write(readyMessage(dynamodb.endpoint, options));

  const ended = await Promise.race([
    interrupted.then(() => 'interrupted' as const),
    dynamodb.exited.then(() => 'exited' as const),
  ]);
  if (ended === 'exited') {
    io.stderr.write(
      `${CLI_NAME}: The local DynamoDB (moto) exited unexpectedly; its data is gone.\n`,
    );
    return EXIT_FAILURE;
  }
  await dynamodb.stop();
  io.stdout.write('Stopped the local DynamoDB; its data is gone.\n');
  return EXIT_OK;
}

function parseLocalArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): LocalOptions {
  const values = parseCommandLine(COMMAND, args, {
    port: { type: 'string' },
    table: { type: 'string', multiple: true },
    'views-table': { type: 'string' },
    'lease-table': { type: 'string' },
    host: { type: 'string' },
  });

  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (values.port !== undefined && (!/^\d+$/.test(values.port) || port > 65535))
    throw new CliUsageError(
      `Invalid port "${values.port}": expected a number from 0 to 65535 (0 picks a free one).`,
      HELP_COMMAND,
    );

  const names = (values.table ?? [env.EVENTS_TABLE || DEFAULT_TABLE])
    .flatMap((list) => list.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0)
    throw new CliUsageError('Option --table needs a table name.', HELP_COMMAND);
  // Only when the flags name them, never from the environment: an application without projections needs neither, and
  // the exports printed then set VIEWS_TABLE and LEASE_TABLE to tables that exist.
  const viewsTable = values['views-table'] || undefined;
  const leaseTable = values['lease-table'] || undefined;
  for (const name of [...names, viewsTable, leaseTable])
    if (name !== undefined) assertTableName(name, COMMAND);
  assertDistinctTables(
    [
      ...names.map((name) => ({ kind: EVENTS_TABLE_KIND, name })),
      ...(viewsTable === undefined ? [] : [{ kind: VIEWS_TABLE_KIND, name: viewsTable }]),
      ...(leaseTable === undefined ? [] : [{ kind: LEASE_TABLE_KIND, name: leaseTable }]),
    ],
    COMMAND,
  );

  const host = values.host ?? DEFAULT_HOST;
  if (host.trim() === '') throw new CliUsageError('Option --host needs an address.', HELP_COMMAND);

  return {
    port,
    host,
    tables: [...new Set(names)],
    viewsTable,
    leaseTable,
    region: env.AWS_REGION || DEFAULT_REGION,
  };
}

/** Every table it creates, the events tables first. */
function allTables({ tables, viewsTable, leaseTable }: LocalOptions): string[] {
  return [...tables, ...[viewsTable, leaseTable].filter((name) => name !== undefined)];
}

function readyMessage(endpoint: string, options: LocalOptions): string {
  const { tables, viewsTable, leaseTable, region } = options;
  const names = allTables(options);
  const ready =
    names.length === 1
      ? `table "${names[0]}" ready`
      : `tables ${names.map((table) => `"${table}"`).join(', ')} ready`;
  return (
    `Local DynamoDB (moto) listening at ${endpoint}, ${ready}.\n` +
    'Use it from your application or tests with:\n' +
    `  export DYNAMODB_ENDPOINT=${endpoint}\n` +
    `  export EVENTS_TABLE=${tables[0]}\n` +
    (viewsTable === undefined ? '' : `  export VIEWS_TABLE=${viewsTable}\n`) +
    (leaseTable === undefined ? '' : `  export LEASE_TABLE=${leaseTable}\n`) +
    `  export AWS_REGION=${region}\n` +
    'Press Ctrl-C to stop.\n'
  );
}

function startFailureMessage(error: unknown, options: LocalOptions): string {
  const { port, host } = options;
  if (error instanceof LocalDynamoDBStartError && error.reason === 'port-in-use')
    return (
      `Port ${port} on ${host} is already in use: stop what holds it, or choose another with ` +
      '--port (0 picks a free one).'
    );
  return dynamoDBFailureMessage(error, allTables(options).join('", "'), 'on the local DynamoDB');
}
