import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { runCli } from '../../lib/cli/run-cli.js';
import { createEventStoreTable } from '../../lib/index.js';
import { createLeaseTable, createViewTable } from '../../lib/projections/index.js';
import { keyedBy, tableLayoutOf, testClient, testClientConfig } from '../support/dynamodb.js';
import { nodeWithout, OPTIONAL_PEERS } from '../support/without-packages.js';

interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `nestjs-dynamo-es <argv…>` in-process, in an environment of the tests' region and the given variables. */
async function cli(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { AWS_REGION: String(testClientConfig().region), ...env },
  });
  return { exitCode, stdout, stderr };
}

const endpoint = process.env.DYNAMODB_ENDPOINT!;
const newTableName = () => `events-cli-${randomUUID()}`;

/** Names for one set of tables: events, views and leases. */
function newTableNames() {
  const suffix = randomUUID();
  return {
    events: `events-cli-${suffix}`,
    views: `views-cli-${suffix}`,
    leases: `leases-cli-${suffix}`,
  };
}

let client: DynamoDBClient;

beforeAll(() => {
  client = testClient();
});
afterAll(() => client.destroy());

describe('nestjs-dynamo-es create-tables', () => {
  it('creates the events table with the key schema the store writes, on-demand, with streams', async () => {
    const table = newTableName();

    const run = await cli(['create-tables', '--endpoint', endpoint, '--table', table]);

    expect(run).toEqual({
      exitCode: 0,
      stdout: `Created events table "${table}" at ${endpoint}.\n`,
      stderr: '',
    });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'streamId', KeyType: 'HASH' },
      { AttributeName: 'version', KeyType: 'RANGE' },
    ]);
    expect(Table?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'streamId', AttributeType: 'S' },
        { AttributeName: 'version', AttributeType: 'N' },
      ]),
    );
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_IMAGE',
    });
  });

  it('takes the table from EVENTS_TABLE and the endpoint from DYNAMODB_ENDPOINT', async () => {
    const table = newTableName();

    const run = await cli(['create-tables'], { EVENTS_TABLE: table, DYNAMODB_ENDPOINT: endpoint });

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`Created events table "${table}" at ${endpoint}.\n`);
    await expect(
      client.send(new DescribeTableCommand({ TableName: table })),
    ).resolves.toBeDefined();
  });

  it('leaves a table that already has the right key schema as it is, and says so', async () => {
    const table = newTableName();
    await cli(['create-tables', '--endpoint', endpoint, '--table', table]);

    const again = await cli(['create-tables', '--endpoint', endpoint, '--table', table]);

    expect(again).toEqual({
      exitCode: 0,
      stdout: `Events table "${table}" at ${endpoint} already exists with the event store's key schema; left unchanged.\n`,
      stderr: '',
    });
  });

  describe('with projections: --views-table and --lease-table', () => {
    it('creates the views and lease tables too, one line each, with the key schemas their stores check', async () => {
      const names = newTableNames();

      const run = await cli([
        'create-tables',
        '--endpoint',
        endpoint,
        '--table',
        names.events,
        '--views-table',
        names.views,
        '--lease-table',
        names.leases,
      ]);

      expect(run).toEqual({
        exitCode: 0,
        stdout:
          `Created events table "${names.events}" at ${endpoint}.\n` +
          `Created views table "${names.views}" at ${endpoint}.\n` +
          `Created lease table "${names.leases}" at ${endpoint}.\n`,
        stderr: '',
      });
      expect(await tableLayoutOf(client, names.views)).toEqual(keyedBy('__key'));
      expect(await tableLayoutOf(client, names.leases)).toEqual(keyedBy('leaseKey'));
      expect((await tableLayoutOf(client, names.events)).streams).toBe(true);
      expect(await createViewTable(client, names.views)).toBe('exists');
      expect(await createLeaseTable(client, names.leases)).toBe('exists');
    });

    it('runs without the optional peers lib-dynamodb and client-dynamodb-streams, as an app without projections has it', async () => {
      const names = newTableNames();
      const main = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));
      const args = ['--endpoint', endpoint, '--table', names.events, '--views-table', names.views];

      const { stdout } = await nodeWithout(
        OPTIONAL_PEERS,
        [main, 'create-tables', ...args, '--lease-table', names.leases],
        { AWS_REGION: String(testClientConfig().region) },
      );

      expect(stdout).toBe(
        `Created events table "${names.events}" at ${endpoint}.\n` +
          `Created views table "${names.views}" at ${endpoint}.\n` +
          `Created lease table "${names.leases}" at ${endpoint}.\n`,
      );
    });

    it('takes them from VIEWS_TABLE and LEASE_TABLE, each on its own', async () => {
      const names = newTableNames();

      const views = await cli(['create-tables', '--endpoint', endpoint, '--table', names.events], {
        VIEWS_TABLE: names.views,
      });
      const leases = await cli(['create-tables'], {
        DYNAMODB_ENDPOINT: endpoint,
        EVENTS_TABLE: names.events,
        LEASE_TABLE: names.leases,
      });

      expect(views.exitCode).toBe(0);
      expect(views.stdout).toBe(
        `Created events table "${names.events}" at ${endpoint}.\n` +
          `Created views table "${names.views}" at ${endpoint}.\n`,
      );
      expect(leases.exitCode).toBe(0);
      expect(leases.stdout).toBe(
        `Events table "${names.events}" at ${endpoint} already exists with the event store's key schema; ` +
          'left unchanged.\n' +
          `Created lease table "${names.leases}" at ${endpoint}.\n`,
      );
      expect(await tableLayoutOf(client, names.views)).toEqual(keyedBy('__key'));
      expect(await tableLayoutOf(client, names.leases)).toEqual(keyedBy('leaseKey'));
    });

    it('leaves views and lease tables that already have their key schemas as they are, and says so', async () => {
      const names = newTableNames();
      const args = [
        'create-tables',
        '--endpoint',
        endpoint,
        '--table',
        names.events,
        '--views-table',
        names.views,
        '--lease-table',
        names.leases,
      ];
      await cli(args);

      const again = await cli(args);

      expect(again.exitCode).toBe(0);
      expect(again.stdout.split('\n').slice(1)).toEqual([
        `Views table "${names.views}" at ${endpoint} already exists with the view store's key schema; left unchanged.`,
        `Lease table "${names.leases}" at ${endpoint} already exists with the stream runner's key schema; left unchanged.`,
        '',
      ]);
    });

    it('stops at a views table with another key schema, in one line, after the events table; exit code 1', async () => {
      const names = newTableNames();
      await createEventStoreTable(client, names.views);

      const run = await cli([
        'create-tables',
        '--endpoint',
        endpoint,
        '--table',
        names.events,
        '--views-table',
        names.views,
        '--lease-table',
        names.leases,
      ]);

      expect(run).toEqual({
        exitCode: 1,
        stdout: `Created events table "${names.events}" at ${endpoint}.\n`,
        stderr:
          `nestjs-dynamo-es: Table "${names.views}" exists with key schema streamId (S, HASH) + version (N, RANGE); ` +
          'the view store needs __key (S, HASH). Use another table name or recreate the table.\n',
      });
      await expect(
        client.send(new DescribeTableCommand({ TableName: names.leases })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });

  it('rejects a table with another key schema in one line naming both schemas, exit code 1', async () => {
    const table = newTableName();
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    const run = await cli(['create-tables', '--endpoint', endpoint, '--table', table]);

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `nestjs-dynamo-es: Table "${table}" exists with key schema id (S, HASH); the event store needs ` +
        'streamId (S, HASH) + version (N, RANGE). Use another table name or recreate the table.\n',
    );
  });

  it('reports an unreachable endpoint in one line without a stack trace, exit code 1', async () => {
    const closedPort = 'http://127.0.0.1:1';

    const run = await cli(['create-tables', '--endpoint', closedPort, '--table', newTableName()]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      'nestjs-dynamo-es: Could not reach DynamoDB at http://127.0.0.1:1 (ECONNREFUSED).\n',
    );
  });

  describe('usage errors: nothing is attempted, exit code 2', () => {
    it('without --table or EVENTS_TABLE', async () => {
      const run = await cli(['create-tables', '--endpoint', endpoint]);

      expect(run).toEqual({
        exitCode: 2,
        stdout: '',
        stderr:
          'nestjs-dynamo-es: Missing the table name: pass --table <name> or set EVENTS_TABLE.\n' +
          'See "nestjs-dynamo-es create-tables --help".\n',
      });
    });

    it('with an unknown command', async () => {
      const run = await cli(['create-table', '--table', newTableName()]);

      expect(run).toEqual({
        exitCode: 2,
        stdout: '',
        stderr:
          'nestjs-dynamo-es: Unknown command "create-table"; the commands are create-tables, local, rebuild, inspect, tail and parked.\n' +
          'See "nestjs-dynamo-es --help".\n',
      });
    });

    it('without a command', async () => {
      const run = await cli([]);

      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(
        'No command given; the commands are create-tables, local, rebuild, inspect, tail and parked.',
      );
    });

    it.each([
      [['--tabel', 'events'], 'Unknown option "--tabel" for create-tables.'],
      [['--table'], 'Option --table needs a value.'],
      [['--table', 'events', 'extra'], 'Unexpected argument "extra".'],
      [['--table', 'a'], 'Invalid table name "a": DynamoDB needs 3 to 255 letters'],
      [['--table', 'events', '--endpoint', 'localhost:8000'], 'Invalid endpoint "localhost:8000"'],
      [['--table', 'events', '--views-table', 'v'], 'Invalid table name "v"'],
      [['--table', 'events', '--lease-table'], 'Option --lease-table needs a value.'],
      [
        ['--table', 'events', '--views-table', 'events'],
        '"events" names both the events table and the views table: each needs a table of its own.',
      ],
      [
        ['--table', 'events', '--views-table', 'views', '--lease-table', 'views'],
        '"views" names both the views table and the lease table: each needs a table of its own.',
      ],
    ])('create-tables %j', async (args, message) => {
      const run = await cli(['create-tables', ...args]);

      expect(run.exitCode).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`nestjs-dynamo-es: ${message}`);
    });
  });

  it.each(['--version', '-v'])('prints the package version with %s and exits 0', async (flag) => {
    const { version } = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };

    const run = await cli([flag]);

    expect(run).toMatchObject({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
  });

  describe('--help', () => {
    it('lists the commands and exits 0', async () => {
      for (const help of ['--help', '-h']) {
        const run = await cli([help]);

        expect(run.exitCode).toBe(0);
        expect(run.stderr).toBe('');
        expect(run.stdout).toMatch(/^Usage: nestjs-dynamo-es <command> \[options\]\n/);
        expect(run.stdout).toContain('create-tables');
      }
    });

    it('of create-tables shows every option and examples for DynamoDB Local and AWS, and exits 0', async () => {
      const run = await cli(['create-tables', '--help'], { EVENTS_TABLE: newTableName() });

      expect(run.exitCode).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(
        /^Usage: nestjs-dynamo-es create-tables --table <name> \[--views-table <name>\] \[--lease-table <name>\]\n {7}\[--endpoint <url>\] \[--region <region>\]\n/,
      );
      for (const option of [
        '--table <name>',
        '--views-table <name>',
        '--lease-table <name>',
        '--endpoint <url>',
        '--region <region>',
        '-h, --help',
      ])
        expect(run.stdout).toContain(`\n  ${option}`);
      expect(run.stdout).toContain(
        'nestjs-dynamo-es create-tables --endpoint http://localhost:8000 --table events\n',
      );
      expect(run.stdout).toMatch(/AWS_REGION=\S+ nestjs-dynamo-es create-tables --table events\n/);
      expect(run.stdout).toContain('--views-table views --lease-table leases\n');
      for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    });
  });
});
