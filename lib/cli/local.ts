import { launchLocalDynamoDB } from '../testing/local-dynamodb.js';
import { LocalDynamoDBStartError } from '../testing/local-dynamodb-errors.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { assertTableName, helpCommandOf, parseCommandLine } from './command-line.js';
import { dynamoDBFailureMessage } from './failure-message.js';
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
  readonly region: string;
}

/** `local`: runs moto with the events table(s) until interrupted, and says how to point an application at it. */
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
  for (const name of names) assertTableName(name, COMMAND);

  const host = values.host ?? DEFAULT_HOST;
  if (host.trim() === '') throw new CliUsageError('Option --host needs an address.', HELP_COMMAND);

  return { port, host, tables: [...new Set(names)], region: env.AWS_REGION || DEFAULT_REGION };
}

function readyMessage(endpoint: string, { tables, region }: LocalOptions): string {
  const ready =
    tables.length === 1
      ? `table "${tables[0]}" ready`
      : `tables ${tables.map((table) => `"${table}"`).join(', ')} ready`;
  return (
    `Local DynamoDB (moto) listening at ${endpoint}, ${ready}.\n` +
    'Use it from your application or tests with:\n' +
    `  export DYNAMODB_ENDPOINT=${endpoint}\n` +
    `  export EVENTS_TABLE=${tables[0]}\n` +
    `  export AWS_REGION=${region}\n` +
    'Press Ctrl-C to stop.\n'
  );
}

function startFailureMessage(error: unknown, { port, host, tables }: LocalOptions): string {
  if (error instanceof LocalDynamoDBStartError && error.reason === 'port-in-use')
    return (
      `Port ${port} on ${host} is already in use: stop what holds it, or choose another with ` +
      '--port (0 picks a free one).'
    );
  return dynamoDBFailureMessage(error, tables.join('", "'), 'on the local DynamoDB');
}
