import type { ParkedEvent } from '../projections/views/view-store.js';
import { UnknownProjectionError } from '../projections/projection-processor.js';
import { withApplicationContext, withoutStreamRunner } from './application-context.js';
import { importApplicationModule } from './application-module.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import {
  assertTableName,
  helpCommandOf,
  parseCommandLine,
  parseCommandLineWithArguments,
} from './command-line.js';
import { cliClient, describeTarget, TARGET_OPTIONS, targetOf } from './dynamodb-target.js';
import { dynamoDBFailureMessage } from './failure-message.js';
import { importWithOptionalPeer } from './optional-peer.js';
import { projectionsOf } from './rebuild.js';
import { CLI_NAME, PARKED_USAGE } from './usage.js';

const COMMAND = 'parked';
const HELP_COMMAND = helpCommandOf(COMMAND);
const REPLAY = 'replay';

/**
 * `parked`: lists the streams that projections parked, from the views table, without the application; `parked replay
 * <projection> <stream id>` applies one again through the application's own projection, once its handler is fixed.
 */
export async function parked(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(PARKED_USAGE);
    return EXIT_OK;
  }
  return args[0] === REPLAY ? replayParked(args.slice(1), io) : listParked(args, io);
}

async function listParked(args: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandLine(COMMAND, args, {
    'views-table': { type: 'string' },
    projection: { type: 'string' },
    ...TARGET_OPTIONS,
    json: { type: 'boolean' },
  });
  const viewsTable = values['views-table'] || io.env.VIEWS_TABLE;
  if (!viewsTable)
    throw new CliUsageError(
      'Missing the views table: pass --views-table <name> or set VIEWS_TABLE.',
      HELP_COMMAND,
    );
  assertTableName(viewsTable, COMMAND);
  const target = targetOf(values, io.env, COMMAND);
  const projection = values.projection || undefined;

  const { DynamoViewStore } = await importWithOptionalPeer(
    () => import('../projections/views/dynamodb-view-store.js'),
    '@aws-sdk/lib-dynamodb',
    'parked reads the views table with it',
  );
  const client = cliClient(target, io.env);
  const where = await describeTarget(client, target.endpoint);
  try {
    let entries: ParkedEvent[];
    try {
      entries = await new DynamoViewStore({ client, tableName: viewsTable }).listParked(projection);
    } catch (error) {
      io.stderr.write(`${CLI_NAME}: ${dynamoDBFailureMessage(error, viewsTable, where, 'read')}\n`);
      return EXIT_FAILURE;
    }
    entries.sort((a, b) => a.parkedAt.getTime() - b.parkedAt.getTime());
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ viewsTable, parked: entries.map(parkedJson) })}\n`
        : parkedText(entries, viewsTable, where, projection),
    );
    return EXIT_OK;
  } finally {
    client.destroy();
  }
}

function parkedJson(entry: ParkedEvent): Record<string, unknown> {
  return { ...entry, parkedAt: entry.parkedAt.toISOString() };
}

function parkedText(
  entries: readonly ParkedEvent[],
  viewsTable: string,
  where: string,
  projection: string | undefined,
): string {
  const of = projection === undefined ? '' : ` of projection "${projection}"`;
  if (entries.length === 0)
    return `No parked streams${of} in views table "${viewsTable}" ${where}.\n`;
  const count = entries.length === 1 ? '1 parked stream' : `${entries.length} parked streams`;
  return (
    `${count}${of} in views table "${viewsTable}" ${where}, oldest first:\n` +
    entries
      .map(
        (entry) =>
          [
            entry.projection,
            entry.streamId,
            `version ${entry.version}`,
            entry.eventType,
            entry.eventId,
            `view ${entry.view}`,
            `document ${entry.documentId}`,
            `parked ${entry.parkedAt.toISOString()}`,
            `${entry.attempts} ${entry.attempts === 1 ? 'attempt' : 'attempts'}`,
            entry.error.replace(/\s+/g, ' '),
          ].join('  ') + '\n',
      )
      .join('') +
    'Once the handler is fixed and deployed, replay a stream with:\n' +
    `  ${CLI_NAME} parked replay <projection> <stream id> --module <file>\n`
  );
}

async function replayParked(args: readonly string[], io: CliIo): Promise<number> {
  const usage = `${CLI_NAME} parked replay <projection> <stream id> --module <file>`;
  const { arguments: positionals, values } = parseCommandLineWithArguments(
    COMMAND,
    args,
    { module: { type: 'string' }, json: { type: 'boolean' } },
    [`Missing the projection: ${usage}.`, `Missing the stream id: ${usage}.`],
  );
  const [projection = '', streamId = ''] = positionals;
  if (!values.module)
    throw new CliUsageError(
      "Missing --module: the application's compiled root module, such as --module dist/app.module.js.",
      HELP_COMMAND,
    );
  const module = values.module;
  const say = (line: string) => (values.json ? io.stderr : io.stdout).write(`${line}\n`);

  return withoutStreamRunner(async () => {
    const application = await importApplicationModule(module, COMMAND);
    return withApplicationContext(
      application.moduleClass,
      (line) => io.stderr.write(`${CLI_NAME}: ${line}\n`),
      async (context) => {
        const projections = await projectionsOf(context, application);
        try {
          await projections.stateOf(projection);
        } catch (error) {
          if (error instanceof UnknownProjectionError)
            throw new CliUsageError(error.message, HELP_COMMAND);
          throw error;
        }
        const all = await projections.parked(projection);
        const views = [
          ...new Set(all.filter((entry) => entry.streamId === streamId).map(({ view }) => view)),
        ];
        if (views.length === 0) {
          const others = [...new Set(all.map((entry) => `"${entry.streamId}"`))];
          io.stderr.write(
            `${CLI_NAME}: Stream "${streamId}" is not parked in projection "${projection}": nothing to replay` +
              (others.length === 0
                ? '; it has no parked streams.\n'
                : `; its parked streams are ${others.join(', ')}.\n`),
          );
          return EXIT_FAILURE;
        }
        let applied = 0;
        let parkedAgain = 0;
        // A stream is parked per view: the served generation, and a generation being rebuilt beside it.
        for (const view of views) {
          const outcome = await projections.replay(projection, streamId, view);
          applied += outcome.applied;
          parkedAgain += outcome.parked;
        }
        const where = views.map((view) => `"${view}"`).join(', ');
        if (values.json)
          io.stdout.write(
            `${JSON.stringify({ projection, streamId, views, applied, parked: parkedAgain, status: parkedAgain > 0 ? 'parked' : 'replayed' })}\n`,
          );
        if (parkedAgain > 0) {
          io.stderr.write(
            `${CLI_NAME}: The handler of projection "${projection}" still fails on stream "${streamId}": it is ` +
              `parked again (view ${where}) after ${applied} events applied. See ${CLI_NAME} parked --projection ` +
              `${projection} for the error.\n`,
          );
          return EXIT_FAILURE;
        }
        say(
          `Replayed stream "${streamId}" of projection "${projection}" in view ${where}: ${applied} ` +
            `${applied === 1 ? 'event' : 'events'} applied; it is no longer parked.`,
        );
        return EXIT_OK;
      },
    );
  });
}
