import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoEventStore, streamIdOf } from '../../lib/index.js';
import { createViewTable, DynamoViewStore, type ParkedEvent } from '../../lib/projections/index.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { cli } from './in-process-cli.js';

const endpoint = process.env.DYNAMODB_ENDPOINT!;
/** The application's compiled root module: projection "cart-sizes" counts each cart's items, in view "cart-sizes". */
const FIXTURE = fileURLToPath(new URL('./fixtures/cart-app.module.mjs', import.meta.url));

describe('nestjs-dynamo-es parked', () => {
  let client: DynamoDBClient;
  let tables: { events: string; views: string };
  const cartId = randomUUID();
  const streamId = streamIdOf('Cart', cartId);
  let parkedEvent: ParkedEvent;

  beforeAll(async () => {
    client = testClient();
    tables = { events: await createTestTable(client), views: `views-cli-${randomUUID()}` };
    await createViewTable(client, tables.views);
    const appended = await new DynamoEventStore({
      client,
      tableName: tables.events,
    }).appendToStream(
      streamId,
      0,
      [1, 2, 3].map((quantity) => ({ type: 'ItemAdded', payload: { cartId, sku: 's', quantity } })),
    );
    // As the processor parks a stream whose handler kept failing on its first event: nothing of it applied.
    parkedEvent = {
      projection: 'cart-sizes',
      view: 'cart-sizes',
      documentId: cartId,
      streamId,
      version: 1,
      eventId: appended.events[0]!.eventId,
      eventType: 'ItemAdded',
      error: 'Error: no such sku',
      attempts: 3,
      parkedAt: new Date('2026-05-01T10:00:00.000Z'),
    };
    const views = new DynamoViewStore({ client, tableName: tables.views });
    expect(
      await views.write({
        view: 'cart-sizes',
        id: cartId,
        expectedRevision: 0,
        document: null,
        positions: {},
        parked: { [streamId]: 1 },
        parkedEvent,
      }),
    ).toBe('written');
  });
  afterAll(async () => {
    for (const TableName of [tables.events, tables.views])
      await client.send(new DeleteTableCommand({ TableName }));
    client.destroy();
  });

  const env = () => ({
    EVENTS_TABLE: tables.events,
    VIEWS_TABLE: tables.views,
    DYNAMODB_ENDPOINT: endpoint,
  });

  it('lists the parked streams, a line each, and how to replay them', async () => {
    const run = await cli(['parked'], env());

    expect(run).toEqual({
      exitCode: 0,
      stderr: '',
      stdout:
        `1 parked stream in views table "${tables.views}" at ${endpoint}, oldest first:\n` +
        `cart-sizes  ${streamId}  version 1  ItemAdded  ${parkedEvent.eventId}  view cart-sizes  ` +
        `document ${cartId}  parked 2026-05-01T10:00:00.000Z  3 attempts  Error: no such sku\n` +
        'Once the handler is fixed and deployed, replay a stream with:\n' +
        '  nestjs-dynamo-es parked replay <projection> <stream id> --module <file>\n',
    });
  });

  it('with --json and --projection, prints one object', async () => {
    const run = await cli(['parked', '--projection', 'cart-sizes', '--json'], env());
    const other = await cli(
      ['parked', '--projection', 'other', '--views-table', tables.views],
      env(),
    );

    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      viewsTable: tables.views,
      parked: [{ ...parkedEvent, parkedAt: '2026-05-01T10:00:00.000Z' }],
    });
    expect(other.stdout).toBe(
      `No parked streams of projection "other" in views table "${tables.views}" at ${endpoint}.\n`,
    );
  });

  it('refuses a listing without a views table, and a replay without its module', async () => {
    const noTable = await cli(['parked'], { VIEWS_TABLE: '' });
    const noModule = await cli(['parked', 'replay', 'cart-sizes', streamId], env());
    const noStream = await cli(['parked', 'replay', 'cart-sizes'], env());

    expect(noTable.exitCode).toBe(2);
    expect(noTable.stderr).toContain('Missing the views table');
    expect(noModule.exitCode).toBe(2);
    expect(noModule.stderr).toContain('Missing --module');
    expect(noStream.stderr).toContain('Missing the stream id');
  });

  // Last: it unparks the stream.
  it("replays a parked stream through the application's projection, then it is no longer parked", async () => {
    // The application reads its configuration from the process's environment, as rebuild's tests have it.
    const saved = { EVENTS_TABLE: process.env.EVENTS_TABLE, VIEWS_TABLE: process.env.VIEWS_TABLE };
    Object.assign(process.env, { EVENTS_TABLE: tables.events, VIEWS_TABLE: tables.views });
    try {
      await replaysTheParkedStream();
    } finally {
      for (const [name, value] of Object.entries(saved))
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });

  async function replaysTheParkedStream() {
    const unknown = await cli(
      ['parked', 'replay', 'cart-sizes', 'Cart#nobody', '--module', FIXTURE],
      env(),
    );
    const run = await cli(['parked', 'replay', 'cart-sizes', streamId, '--module', FIXTURE], env());
    const after = await cli(['parked', '--json'], env());

    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toBe(
      'nestjs-dynamo-es: Stream "Cart#nobody" is not parked in projection "cart-sizes": nothing to replay; ' +
        `its parked streams are "${streamId}".\n`,
    );
    expect(run).toEqual({
      exitCode: 0,
      stderr: '',
      stdout:
        `Replayed stream "${streamId}" of projection "cart-sizes" in view "cart-sizes": 3 events applied; it ` +
        'is no longer parked.\n',
    });
    expect(JSON.parse(after.stdout)).toEqual({ viewsTable: tables.views, parked: [] });
    const views = new DynamoViewStore({ client, tableName: tables.views });
    expect((await views.read('cart-sizes', cartId))?.document).toEqual({ items: 6 });
  }
});
