import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoEventStore, streamIdOf } from '../../lib/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { cli } from './in-process-cli.js';

const endpoint = process.env.DYNAMODB_ENDPOINT!;
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('nestjs-dynamo-es inspect', () => {
  let client: DynamoDBClient;
  let table: string;
  const cartId = randomUUID();
  const streamId = streamIdOf('Cart', cartId);

  beforeAll(async () => {
    client = testClient();
    table = await createTestTable(client);
    const store = new DynamoEventStore({ client, tableName: table });
    await store.appendToStream(
      streamId,
      0,
      [
        { type: 'CartOpened', payload: { cartId }, metadata: { correlationId: 'c-1' } },
        { type: 'ItemAdded', payload: { sku: 'a', quantity: 2 }, schemaVersion: 2 },
      ],
      { snapshot: { state: { items: 2 }, schemaVersion: 3 } },
    );
  });
  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: table }));
    client.destroy();
  });

  const args = (...more: string[]) => ['inspect', 'Cart', cartId, '--table', table, ...more];

  it('prints a line per event, oldest first, then the snapshot', async () => {
    const run = await cli(args(), { DYNAMODB_ENDPOINT: endpoint });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(
      `Stream "${streamId}" in table "${table}" at ${endpoint}: 2 events, version 2.`,
    );
    const events = lines.slice(2, 4).map((line) => line.split('  '));
    expect(events.map(([version, type, schema]) => [version, type, schema])).toEqual([
      ['1', 'CartOpened', 'schema 1'],
      ['2', 'ItemAdded', 'schema 2'],
    ]);
    expect(events[0]![3]).toMatch(ISO_DATE);
    expect(events[0]!.slice(5)).toEqual([`{"cartId":"${cartId}"}`, '{"correlationId":"c-1"}']);
    expect(events[1]!.slice(5)).toEqual(['{"sku":"a","quantity":2}', '{}']);
    expect(lines.slice(4)).toEqual(['Snapshot at version 2, schema 3: {"items":2}', '']);
  });

  it('with --json, prints one object: the stream, its events and its snapshot', async () => {
    const run = await cli(args('--json', '--endpoint', endpoint));

    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      streamId,
      version: 2,
      events: [
        {
          streamId,
          version: 1,
          type: 'CartOpened',
          schemaVersion: 1,
          recordedAt: expect.stringMatching(ISO_DATE),
          eventId: expect.any(String),
          payload: { cartId },
          metadata: { correlationId: 'c-1' },
        },
        expect.objectContaining({ version: 2, type: 'ItemAdded', schemaVersion: 2 }),
      ],
      snapshot: { version: 2, schemaVersion: 3, state: { items: 2 } },
    });
  });

  it('says so and exits 1 for a stream without events', async () => {
    const run = await cli(['inspect', 'Cart', 'nobody', '--table', table, '--endpoint', endpoint]);

    expect(run).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `nestjs-dynamo-es: No stream "Cart#nobody" in table "${table}" at ${endpoint}: it has no events.\n`,
    });
  });

  it.each([
    [['inspect'], 'Missing the aggregate type'],
    [['inspect', 'Cart'], 'Missing the aggregate id'],
    [
      ['inspect', 'Cart#x', '1', '--table', 'events'],
      'the aggregate type must be a non-empty string',
    ],
    [['inspect', 'Cart', '1', '2'], 'Unexpected argument "2".'],
  ])('refuses %j', async (argv, message) => {
    const run = await cli(argv, { EVENTS_TABLE: 'events' });

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('See "nestjs-dynamo-es inspect --help".');
  });

  it.each(['inspect', 'tail', 'parked'])(
    '%s --help shows its usage, and the CLI lists it',
    async (command) => {
      const help = await cli([command, '--help']);
      const usage = await cli(['--help']);

      expect(help.exitCode).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: nestjs-dynamo-es ${command} `));
      expect(help.stdout).toContain('Exit codes:');
      expect(usage.stdout).toMatch(new RegExp(`^  ${command} {2,}\\S`, 'm'));
    },
  );
});
