import type { INestApplicationContext } from '@nestjs/common';
import { unreachableCodeOf } from '../dynamodb/sdk-errors.js';
import type { RebuildMode } from '../projections/generations.js';
import type { Projections } from '../projections/nest/projections.service.js';
import { UnknownProjectionError } from '../projections/projection-processor.js';
import { RebuildInProgressError } from '../projections/rebuild/projection-rebuild.js';
import { withApplicationContext, withoutStreamRunner } from './application-context.js';
import { type ApplicationModule, importApplicationModule } from './application-module.js';
import { type CliIo, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { helpCommandOf, parseCommandLineWithArgument } from './command-line.js';
import { startLine, summaryLine } from './rebuild-messages.js';
import { type RebuildReporter, rebuildReporter } from './rebuild-reporter.js';
import { CLI_NAME, REBUILD_USAGE } from './usage.js';

const COMMAND = 'rebuild';
const HELP_COMMAND = helpCommandOf(COMMAND);
/** DynamoDB's limit on the segments of a parallel Scan. */
const MAX_SEGMENTS = 1_000_000;

interface RebuildCommandOptions {
  readonly projection: string;
  /** `<file>[#<export>]`. */
  readonly module: string;
  readonly mode: RebuildMode;
  /** The rebuild's own default when not given. */
  readonly segments?: number;
  readonly json: boolean;
}

/**
 * `rebuild`: starts the application's module without its stream runner and (re)builds one of its projections,
 * showing the progress; Ctrl-C stops it, to be resumed by the same command.
 */
export async function rebuild(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(REBUILD_USAGE);
    return EXIT_OK;
  }
  const options = parseRebuildArgs(args);
  const reporter = rebuildReporter(
    io,
    options.json ? 'json' : io.stdout.isTTY ? 'terminal' : 'lines',
  );
  return withoutStreamRunner(async () => {
    const application = await importApplicationModule(options.module, COMMAND);
    return withApplicationContext(
      application.moduleClass,
      (line) => reporter.problem(`${CLI_NAME}: ${line}`),
      async (context) =>
        runRebuild(await projectionsOf(context, application), options, io, reporter),
    );
  });
}

function parseRebuildArgs(args: readonly string[]): RebuildCommandOptions {
  const { argument: projection, values } = parseCommandLineWithArgument(
    COMMAND,
    args,
    {
      module: { type: 'string' },
      segments: { type: 'string' },
      'catch-up': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    `Missing the projection: ${CLI_NAME} rebuild <projection> --module <file>.`,
  );
  if (!values.module)
    throw new CliUsageError(
      "Missing --module: the application's compiled root module, such as --module dist/app.module.js.",
      HELP_COMMAND,
    );
  const segments = values.segments === undefined ? undefined : Number(values.segments);
  if (
    segments !== undefined &&
    (!/^\d+$/.test(values.segments!) || segments < 1 || segments > MAX_SEGMENTS)
  )
    throw new CliUsageError(
      `Invalid --segments "${values.segments}": expected a whole number from 1 to ${MAX_SEGMENTS}.`,
      HELP_COMMAND,
    );
  return {
    projection,
    module: values.module,
    mode: values['catch-up'] ? 'catch-up' : 'rebuild',
    segments,
    json: values.json ?? false,
  };
}

export async function projectionsOf(
  context: INestApplicationContext,
  application: ApplicationModule,
): Promise<Projections> {
  // As NestFactory: loaded by this command alone.
  const { Projections } = await import('../projections/nest/projections.service.js');
  try {
    return context.get(Projections);
  } catch {
    throw new Error(
      `${application.exportName} of ${application.file} has no projections: it needs ` +
        'DynamoProjectionsModule.forRoot() or forRootAsync() among its imports, and this command must be the one ' +
        `installed with the application (npx ${CLI_NAME} in its directory), so that both use one copy of ` +
        'nestjs-dynamo-es.',
    );
  }
}

async function runRebuild(
  projections: Projections,
  options: RebuildCommandOptions,
  io: CliIo,
  reporter: RebuildReporter,
): Promise<number> {
  const { projection, mode, segments } = options;
  try {
    const state = await projections.stateOf(projection);
    // A plan of the other mode is refused by the rebuild itself, and said so then.
    if (state.rebuild === undefined || state.rebuild.mode === mode)
      reporter.note(startLine(projection, mode, state, segments));
    const stop = new AbortController();
    // Taken only now: a Ctrl-C while the application starts ends the process at once, with nothing written yet.
    void io.untilInterrupted?.().then(() => stop.abort());
    const final = await projections.rebuild(projection, {
      mode,
      segments,
      onProgress: reporter.progress,
      progressIntervalMs: reporter.progressIntervalMs,
      signal: stop.signal,
    });
    reporter.note(summaryLine(final));
    return final.status === 'done' ? EXIT_OK : EXIT_INTERRUPTED;
  } catch (error) {
    if (error instanceof UnknownProjectionError)
      throw new CliUsageError(error.message, HELP_COMMAND);
    reporter.problem(`${CLI_NAME}: ${rebuildFailureMessage(error, options)}`);
    return EXIT_FAILURE;
  }
}

function rebuildFailureMessage(
  error: unknown,
  { projection, mode }: RebuildCommandOptions,
): string {
  if (error instanceof RebuildInProgressError) {
    const { plan } = error;
    return (
      `A ${plan.mode} of projection "${projection}" (generation ${plan.generation}) started at ` +
      `${plan.startedAt} is not finished: resume it first, with this command ` +
      `${plan.mode === 'catch-up' ? 'and --catch-up' : 'without --catch-up'}.`
    );
  }
  const unreachable = unreachableCodeOf(error);
  const cause = unreachable
    ? `could not reach DynamoDB (${unreachable}).`
    : sentence((error as Error).message ?? String(error));
  return (
    `The ${mode} of projection "${projection}" failed: ${cause} Run the same command again to resume it from ` +
    'its checkpoints.'
  );
}

function sentence(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
