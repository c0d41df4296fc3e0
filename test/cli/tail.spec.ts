import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoEventStore, streamIdOf } from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { eventually } from '../support/eventually.js';
import { nodeWithout } from '../support/without-packages.js';
import { cli, type RunningCli, startCli } from './in-process-cli.js';

const endpoint = process.env.DYNAMODB_ENDPOINT!;

describe('nestjs-dynamo-es tail', () => {
  let client: DynamoDBClient;
  let table: string;
  let store: DynamoEventStore;
  let running: RunningCli | undefined;

  beforeAll(async () => {
    client = testClient();
    table = await createTestTable(client);
    store = new DynamoEventStore({ client, tableName: table });
  });
  afterEach(async () => {
    running?.interrupt();
    await running?.exitCode;
    running = undefined;
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: table }));
    client.destroy();
  });

  const tailing = (run: RunningCli) =>
    eventually(
      () => Promise.resolve(run.stderr()),
      (text) => text.includes('Ctrl-C'),
    );
  const outputOf = (run: RunningCli, lines: number) =>
    eventually(
      () => Promise.resolve(run.stdout()),
      (text) => text.split('\n').length > lines,
    );

  it('prints the events appended after it started, not the snapshot, until Ctrl-C', async () => {
    const before = streamIdOf('Cart', randomUUID());
    await store.appendToStream(before, 0, [{ type: 'CartOpened', payload: {} }]);
    running = startCli(['tail', '--table', table, '--endpoint', endpoint]);
    expect(await tailing(running)).toBe(
      `Tailing table "${table}" at ${endpoint} from now on (1 open shard); Ctrl-C to stop.\n`,
    );

    const streamId = streamIdOf('Cart', randomUUID());
    await store.appendToStream(
      streamId,
      0,
      [
        { type: 'CartOpened', payload: { by: 'ann' } },
        { type: 'ItemAdded', payload: { sku: 'a' } },
      ],
      { snapshot: { state: { items: 1 }, schemaVersion: 1 } },
    );
    const lines = (await outputOf(running, 2)).split('\n').map((line) => line.split('  '));

    expect(lines.slice(0, 2).map((line) => [line[0], line[1], line[2], line[6]])).toEqual([
      [streamId, '1', 'CartOpened', '{"by":"ann"}'],
      [streamId, '2', 'ItemAdded', '{"sku":"a"}'],
    ]);
    running.interrupt();
    expect(await running.exitCode).toBe(0);
    expect(running.stdout().split('\n')).toHaveLength(3);
    expect(running.stderr()).toMatch(/Stopped\.\n$/);
  });

  it('from trim-horizon with --json, prints what the stream keeps, then the new events, a JSON object a line', async () => {
    const kept = streamIdOf('Cart', randomUUID());
    await store.appendToStream(kept, 0, [{ type: 'CartOpened', payload: { n: 0 } }]);
    running = startCli(['tail', '--from', 'trim-horizon', '--json'], {
      EVENTS_TABLE: table,
      DYNAMODB_ENDPOINT: endpoint,
    });
    await tailing(running);
    const streamId = streamIdOf('Cart', randomUUID());
    await store.appendToStream(streamId, 0, [{ type: 'CartOpened', payload: { n: 1 } }]);

    const output = running.stdout;
    const events = await eventually(
      () =>
        Promise.resolve(
          output()
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as { streamId: string }),
        ),
      (all) => all.some((event) => event.streamId === streamId),
    );

    expect(events.find((event) => event.streamId === kept)).toMatchObject({
      version: 1,
      payload: { n: 0 },
    });
    expect(events.at(-1)).toEqual({
      streamId,
      version: 1,
      type: 'CartOpened',
      schemaVersion: 1,
      recordedAt: expect.any(String),
      eventId: expect.any(String),
      payload: { n: 1 },
      metadata: {},
    });
    running.interrupt();
    expect(await running.exitCode).toBe(0);
  });

  it('refuses a table without a stream, and a wrong --from', async () => {
    const missing = await cli([
      'tail',
      '--table',
      `no-such-${randomUUID()}`,
      '--endpoint',
      endpoint,
    ]);
    const wrong = await cli(['tail', '--table', table, '--from', 'yesterday']);

    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^nestjs-dynamo-es: .*no-such-/);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('Invalid --from "yesterday": expected latest or trim-horizon.');
  });

  it('says which package to install where the optional peer client-dynamodb-streams is missing', async () => {
    const main = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));

    const failure = await nodeWithout(
      ['@aws-sdk/client-dynamodb-streams'],
      [main, 'tail', '--table', table, '--endpoint', endpoint],
    ).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );

    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toBe(
      "nestjs-dynamo-es: @aws-sdk/client-dynamodb-streams is not installed: tail reads the table's stream " +
        'with it. Install it beside this package: npm install @aws-sdk/client-dynamodb-streams\n',
    );
  });
});
