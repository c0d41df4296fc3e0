import { type CliIo, EXIT_FAILURE, EXIT_OK } from './cli-io.js';
import { assertDistinctTables, assertTableName, parseCommandLine } from './command-line.js';
import {
  cliClient,
  describeTarget,
  eventsTableOf,
  TARGET_OPTIONS,
  targetOf,
} from './dynamodb-target.js';
import { dynamoDBFailureMessage } from './failure-message.js';
import {
  EVENTS_TABLE_KIND,
  LEASE_TABLE_KIND,
  type NamedTable,
  tableOutcomeLine,
  VIEWS_TABLE_KIND,
} from './table-kinds.js';
import { CLI_NAME, CREATE_TABLES_USAGE } from './usage.js';

const COMMAND = 'create-tables';

interface CreateTablesOptions {
  /** The events table first, then the views and lease tables asked for. */
  readonly tables: readonly NamedTable[];
  readonly endpoint?: string;
  readonly region?: string;
}

/**
 * `create-tables`: creates the events table, and the projections' views and lease tables when they are named, or
 * accepts existing ones with their key schemas. One line per table; it stops at the first that fails.
 */
export async function createTables(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(CREATE_TABLES_USAGE);
    return EXIT_OK;
  }
  const options = parseCreateTablesArgs(args, io.env);
  const client = cliClient(options, io.env);
  const where = await describeTarget(client, options.endpoint);
  try {
    for (const table of options.tables) {
      try {
        io.stdout.write(
          tableOutcomeLine(table, await table.kind.create(client, table.name), where),
        );
      } catch (error) {
        io.stderr.write(`${CLI_NAME}: ${dynamoDBFailureMessage(error, table.name, where)}\n`);
        return EXIT_FAILURE;
      }
    }
    return EXIT_OK;
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
    'views-table': { type: 'string' },
    'lease-table': { type: 'string' },
    ...TARGET_OPTIONS,
  });

  const table = eventsTableOf(values.table, env, COMMAND);
  const viewsTable = values['views-table'] || env.VIEWS_TABLE || undefined;
  const leaseTable = values['lease-table'] || env.LEASE_TABLE || undefined;
  const tables: NamedTable[] = [
    { kind: EVENTS_TABLE_KIND, name: table },
    ...(viewsTable === undefined ? [] : [{ kind: VIEWS_TABLE_KIND, name: viewsTable }]),
    ...(leaseTable === undefined ? [] : [{ kind: LEASE_TABLE_KIND, name: leaseTable }]),
  ];
  for (const { name } of tables) assertTableName(name, COMMAND);
  assertDistinctTables(tables, COMMAND);

  return { tables, ...targetOf(values, env, COMMAND) };
}
