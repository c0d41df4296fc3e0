import { lastValueFrom, toArray } from 'rxjs';
import { streamIdOf } from '../core/stream-id.js';
import type { SnapshotAndNewerEvents, StoredEvent } from '../core/types.js';
import { DynamoEventStore } from '../dynamodb/dynamodb-event-store.js';
import { InvalidStreamIdError } from '../core/errors.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { helpCommandOf, parseCommandLineWithArguments } from './command-line.js';
import {
  cliClient,
  describeTarget,
  eventsTableOf,
  TARGET_OPTIONS,
  targetOf,
} from './dynamodb-target.js';
import { eventJson, eventLine } from './event-lines.js';
import { dynamoDBFailureMessage } from './failure-message.js';
import { CLI_NAME, INSPECT_USAGE } from './usage.js';

const COMMAND = 'inspect';

/**
 * `inspect <aggregate type> <id>`: the stream's events, oldest first, and its latest snapshot, read from the events
 * table by the store itself (no application needed). A stream without events exits 1, as a lookup that found
 * nothing, so that a script can tell.
 */
export async function inspect(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(INSPECT_USAGE);
    return EXIT_OK;
  }
  const { arguments: positionals, values } = parseCommandLineWithArguments(
    COMMAND,
    args,
    { table: { type: 'string' }, ...TARGET_OPTIONS, json: { type: 'boolean' } },
    [
      `Missing the aggregate type: ${CLI_NAME} inspect <aggregate type> <id>.`,
      `Missing the aggregate id: ${CLI_NAME} inspect <aggregate type> <id>.`,
    ],
  );
  const [aggregateType = '', aggregateId = ''] = positionals;
  const tableName = eventsTableOf(values.table, io.env, COMMAND);
  const target = targetOf(values, io.env, COMMAND);
  let streamId: string;
  try {
    streamId = streamIdOf(aggregateType, aggregateId);
  } catch (error) {
    if (error instanceof InvalidStreamIdError)
      throw new CliUsageError(error.message, helpCommandOf(COMMAND));
    throw error;
  }

  const client = cliClient(target, io.env);
  const where = await describeTarget(client, target.endpoint);
  try {
    const store = new DynamoEventStore({ client, tableName });
    let events: StoredEvent[];
    let snapshot: SnapshotAndNewerEvents;
    try {
      events = await lastValueFrom(store.readStream(streamId).pipe(toArray()));
      // A second, newest-first read: readStream skips the snapshot item, and this is the store's way to reach it.
      snapshot = await store.readSnapshotAndNewerEvents(streamId);
    } catch (error) {
      io.stderr.write(`${CLI_NAME}: ${dynamoDBFailureMessage(error, tableName, where, 'read')}\n`);
      return EXIT_FAILURE;
    }
    const version = events.at(-1)?.version ?? 0;
    if (values.json)
      io.stdout.write(`${JSON.stringify(streamJson(streamId, version, events, snapshot))}\n`);
    if (events.length === 0) {
      io.stderr.write(
        `${CLI_NAME}: No stream "${streamId}" in table "${tableName}" ${where}: it has no events.\n`,
      );
      return EXIT_FAILURE;
    }
    if (!values.json) io.stdout.write(streamText(streamId, tableName, where, events, snapshot));
    return EXIT_OK;
  } finally {
    client.destroy();
  }
}

function streamJson(
  streamId: string,
  version: number,
  events: readonly StoredEvent[],
  { snapshot, unreadableSnapshot }: SnapshotAndNewerEvents,
): Record<string, unknown> {
  return {
    streamId,
    version,
    events: events.map(eventJson),
    snapshot: snapshot
      ? { version: snapshot.version, schemaVersion: snapshot.schemaVersion, state: snapshot.state }
      : null,
    ...(unreadableSnapshot ? { unreadableSnapshot: unreadableSnapshot.message } : {}),
  };
}

function streamText(
  streamId: string,
  tableName: string,
  where: string,
  events: readonly StoredEvent[],
  { snapshot, unreadableSnapshot }: SnapshotAndNewerEvents,
): string {
  const version = events.at(-1)!.version;
  const count = events.length === 1 ? '1 event' : `${events.length} events`;
  return (
    `Stream "${streamId}" in table "${tableName}" ${where}: ${count}, version ${version}.\n` +
    'version  type  schema  recorded at  event id  payload  metadata\n' +
    events.map((event) => `${eventLine(event)}\n`).join('') +
    (snapshot
      ? `Snapshot at version ${snapshot.version}, schema ${snapshot.schemaVersion}: ${JSON.stringify(snapshot.state)}\n`
      : unreadableSnapshot
        ? `Snapshot unreadable: ${unreadableSnapshot.message}\n`
        : 'No snapshot.\n')
  );
}
