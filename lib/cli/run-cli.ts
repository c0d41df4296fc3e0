import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { createTables } from './create-tables.js';
import { inspect } from './inspect.js';
import { local } from './local.js';
import { PACKAGE_VERSION } from '../core/package-version.js';
import { parked } from './parked.js';
import { rebuild } from './rebuild.js';
import { tail } from './tail.js';
import { CLI_NAME, CLI_USAGE } from './usage.js';

export type { CliIo } from './cli-io.js';

const HELP_COMMAND = `${CLI_NAME} --help`;
const HELP_WORDS = new Set(['--help', '-h', 'help']);
const VERSION_WORDS = new Set(['--version', '-v']);
const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>> =
  {
    'create-tables': createTables,
    local,
    rebuild,
    inspect,
    tail,
    parked,
  };
const COMMAND_LIST = 'the commands are create-tables, local, rebuild, inspect, tail and parked';

/**
 * Runs one command line (without the node and script arguments) and returns the exit code: 0 done, 1 failed,
 * 2 the command line is wrong, 130 stopped by Ctrl-C before it was done (rebuild). Writes results to `io.stdout`
 * and one-line errors to `io.stderr`; never throws.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined)
      throw new CliUsageError(`No command given; ${COMMAND_LIST}.`, HELP_COMMAND);
    if (HELP_WORDS.has(command)) {
      io.stdout.write(CLI_USAGE);
      return EXIT_OK;
    }
    if (VERSION_WORDS.has(command)) {
      io.stdout.write(`${PACKAGE_VERSION}\n`);
      return EXIT_OK;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (run) return await run(rest, io);
    throw new CliUsageError(`Unknown command "${command}"; ${COMMAND_LIST}.`, HELP_COMMAND);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`${CLI_NAME}: ${error.message}\nSee "${error.helpCommand}".\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`${CLI_NAME}: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
}
