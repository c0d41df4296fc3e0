import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { runCli } from '../../lib/cli/run-cli.js';
import { testClient, testClientConfig } from '../support/dynamodb.js';

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
      stdout: `Created table "${table}" at ${endpoint}.\n`,
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
    expect(run.stdout).toBe(`Created table "${table}" at ${endpoint}.\n`);
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
      stdout: `Table "${table}" at ${endpoint} already exists with the event store's key schema; left unchanged.\n`,
      stderr: '',
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
          'nestjs-dynamo-es: Unknown command "create-table"; the commands are create-tables and local.\n' +
          'See "nestjs-dynamo-es --help".\n',
      });
    });

    it('without a command', async () => {
      const run = await cli([]);

      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('No command given; the commands are create-tables and local.');
    });

    it.each([
      [['--tabel', 'events'], 'Unknown option "--tabel" for create-tables.'],
      [['--table'], 'Option --table needs a value.'],
      [['--table', 'events', 'extra'], 'Unexpected argument "extra".'],
      [['--table', 'a'], 'Invalid table name "a": DynamoDB needs 3 to 255 letters'],
      [['--table', 'events', '--endpoint', 'localhost:8000'], 'Invalid endpoint "localhost:8000"'],
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
        /^Usage: nestjs-dynamo-es create-tables --table <name> \[--endpoint <url>\] \[--region <region>\]\n/,
      );
      for (const option of [
        '--table <name>',
        '--endpoint <url>',
        '--region <region>',
        '-h, --help',
      ])
        expect(run.stdout).toContain(`\n  ${option}`);
      expect(run.stdout).toContain(
        'nestjs-dynamo-es create-tables --endpoint http://localhost:8000 --table events\n',
      );
      expect(run.stdout).toMatch(/AWS_REGION=\S+ nestjs-dynamo-es create-tables --table events\n/);
    });
  });
});
