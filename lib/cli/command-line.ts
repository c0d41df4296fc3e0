import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './cli-usage-error.js';
import type { NamedTable } from './table-kinds.js';
import { CLI_NAME } from './usage.js';

/** DynamoDB's rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** `nestjs-dynamo-es <command> --help`, which every usage error of a command points to. */
export function helpCommandOf(command: string): string {
  return `${CLI_NAME} ${command} --help`;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type ParsedValues<Options extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ options: Options; strict: true; allowPositionals: true }>
>['values'];

/** A command's options, strictly: an unknown option, a missing value or a stray argument is a usage error. */
export function parseCommandLine<const Options extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: Options,
): ParsedValues<Options> {
  const { values, positionals } = parseStrictly(command, args, options);
  if (positionals.length > 0)
    throw new CliUsageError(`Unexpected argument "${positionals[0]}".`, helpCommandOf(command));
  return values;
}

/**
 * As parseCommandLine, for a command that takes one argument besides its options (`rebuild <projection>`): without
 * it, `missing` is the usage error.
 */
export function parseCommandLineWithArgument<const Options extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: Options,
  missing: string,
): { readonly argument: string; readonly values: ParsedValues<Options> } {
  const { values, positionals } = parseStrictly(command, args, options);
  const [argument, extra] = positionals;
  if (argument === undefined || argument === '')
    throw new CliUsageError(missing, helpCommandOf(command));
  if (extra !== undefined)
    throw new CliUsageError(`Unexpected argument "${extra}".`, helpCommandOf(command));
  return { argument, values };
}

/**
 * As parseCommandLine, for a command that takes several arguments besides its options (`inspect <type> <id>`): the
 * first one missing gives its usage error from `missing`, in order.
 */
export function parseCommandLineWithArguments<const Options extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: Options,
  missing: readonly string[],
): { readonly arguments: readonly string[]; readonly values: ParsedValues<Options> } {
  const { values, positionals } = parseStrictly(command, args, options);
  for (const [index, message] of missing.entries())
    if (positionals[index] === undefined || positionals[index] === '')
      throw new CliUsageError(message, helpCommandOf(command));
  const extra = positionals[missing.length];
  if (extra !== undefined)
    throw new CliUsageError(`Unexpected argument "${extra}".`, helpCommandOf(command));
  return { arguments: positionals, values };
}

function parseStrictly<const Options extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: Options,
): { values: ParsedValues<Options>; positionals: string[] } {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-{1,2}[\w-]+)/.exec(message)?.[1] ?? '';
    throw new CliUsageError(
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `Unknown option "${option}" for ${command}.`
        : code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? message
          : message.includes('does not take an argument')
            ? `Option ${option} takes no value.`
            : `Option ${option} needs a value.`,
      helpCommandOf(command),
    );
  }
}

export function assertTableName(table: string, command: string): void {
  if (!TABLE_NAME.test(table))
    throw new CliUsageError(
      `Invalid table name "${table}": DynamoDB needs 3 to 255 letters, digits, "_", "-" or ".".`,
      helpCommandOf(command),
    );
}

/** Each kind of table has its own key schema: two kinds cannot share one table. */
export function assertDistinctTables(tables: readonly NamedTable[], command: string): void {
  for (const [index, table] of tables.entries()) {
    const other = tables
      .slice(0, index)
      .find(({ name, kind }) => name === table.name && kind !== table.kind);
    if (other)
      throw new CliUsageError(
        `"${table.name}" names both the ${other.kind.noun} and the ${table.kind.noun}: each needs a table of its ` +
          'own.',
        helpCommandOf(command),
      );
  }
}
