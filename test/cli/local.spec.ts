import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDBClientConfig, PARTITION_KEY, SORT_KEY } from '../../lib/index.js';
import { runCli } from '../../lib/cli/run-cli.js';
import { createLeaseTable, createViewTable } from '../../lib/projections/index.js';
import {
  acceptsConnections,
  occupyPort,
  pythonWithoutMoto,
} from '../support/local-dynamodb-probes.js';

interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `nestjs-dynamo-es local …` running in-process: a real moto, stopped by `interrupt()` as by Ctrl-C. */
interface LocalCommand {
  /** Resolves with stdout once the command says it is ready; rejects if it ends first. */
  readonly ready: Promise<string>;
  readonly finished: Promise<CliRun>;
  interrupt(): Promise<CliRun>;
}

function startLocal(args: string[], env: Record<string, string> = {}): LocalCommand {
  let stdout = '';
  let stderr = '';
  let interrupt!: () => void;
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
  let becameReady!: (stdout: string) => void;
  const ready = new Promise<string>((resolve) => (becameReady = resolve));
  const finished = runCli(['local', ...args], {
    stdout: {
      write: (text: string) => {
        stdout += text;
        if (stdout.endsWith('Press Ctrl-C to stop.\n')) becameReady(stdout);
      },
    },
    stderr: { write: (text: string) => (stderr += text) },
    env: { PYTHON: process.env.PYTHON, ...env },
    untilInterrupted: () => interrupted,
  }).then((exitCode) => ({ exitCode, stdout, stderr }));
  const readyOrEnded = Promise.race([
    ready,
    finished.then((run) => Promise.reject(new Error(`local ended first: ${JSON.stringify(run)}`))),
  ]);
  // Awaited only by the tests that expect it to start.
  readyOrEnded.catch(() => undefined);
  return {
    ready: readyOrEnded,
    finished,
    interrupt: () => {
      interrupt();
      return finished;
    },
  };
}

/** A command that ends by itself (an error, --help). */
async function runLocal(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return startLocal(args, env).finished;
}

const endpointIn = (stdout: string) => /listening at (http:\/\/\S+),/.exec(stdout)![1]!;
const newTableName = () => `events-local-${randomUUID()}`;

describe('nestjs-dynamo-es local', () => {
  describe('running', () => {
    const table = newTableName();
    let command: LocalCommand;
    let stdout: string;
    let endpoint: string;

    beforeAll(async () => {
      command = startLocal(['--port', '0', '--table', table]);
      stdout = await command.ready;
      endpoint = endpointIn(stdout);
    });
    afterAll(() => command.interrupt());

    it('prints its endpoint, and the environment that points an application at it', () => {
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(stdout).toBe(
        `Local DynamoDB (moto) listening at ${endpoint}, table "${table}" ready.\n` +
          'Use it from your application or tests with:\n' +
          `  export DYNAMODB_ENDPOINT=${endpoint}\n` +
          `  export EVENTS_TABLE=${table}\n` +
          '  export AWS_REGION=us-east-1\n' +
          'Press Ctrl-C to stop.\n',
      );
    });

    it('serves DynamoDB at that endpoint, with the table and the event store key schema', async () => {
      const client = new DynamoDBClient(
        dynamoDBClientConfig({ endpoint, region: 'us-east-1' }, {}),
      );
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));

        expect(Table?.TableStatus).toBe('ACTIVE');
        expect(Table?.KeySchema).toEqual([
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ]);
      } finally {
        client.destroy();
      }
    });

    it('with --port 0, listens on a free port, not on the default 8000', () => {
      expect(Number(new URL(endpoint).port)).not.toBe(8000);
    });
  });

  it('stops moto when interrupted, says so, and exits 0; the port is closed afterwards', async () => {
    const command = startLocal(['--port', '0']);
    const endpoint = endpointIn(await command.ready);
    expect(await acceptsConnections(endpoint)).toBe(true);

    const run = await command.interrupt();

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /Press Ctrl-C to stop\.\nStopped the local DynamoDB; its data is gone\.\n$/,
    );
    expect(await acceptsConnections(endpoint)).toBe(false);
  });

  it('creates every table given, repeated or comma-separated; EVENTS_TABLE names the default', async () => {
    const [first, second, third] = [newTableName(), newTableName(), newTableName()];
    const command = startLocal(['--port', '0', '--table', `${first},${second}`, '--table', third]);
    const stdout = await command.ready;
    await command.interrupt();

    expect(stdout).toContain(`, tables "${first}", "${second}", "${third}" ready.\n`);
    expect(stdout).toContain(`  export EVENTS_TABLE=${first}\n`);

    // VIEWS_TABLE and LEASE_TABLE ask for nothing: only the flags do.
    const byEnvironment = startLocal(['--port', '0'], {
      EVENTS_TABLE: third,
      VIEWS_TABLE: newTableName(),
      LEASE_TABLE: newTableName(),
    });
    const defaulted = await byEnvironment.ready;
    await byEnvironment.interrupt();

    expect(defaulted).toContain(`, table "${third}" ready.\n`);
    expect(defaulted).not.toMatch(/VIEWS_TABLE|LEASE_TABLE/);
  });

  it('with --views-table and --lease-table, creates them with their key schemas and prints them to export', async () => {
    const [events, views, leases] = [
      newTableName(),
      `views-${randomUUID()}`,
      `leases-${randomUUID()}`,
    ];
    const command = startLocal([
      '--port',
      '0',
      '--table',
      events,
      '--views-table',
      views,
      '--lease-table',
      leases,
    ]);
    const stdout = await command.ready;
    const endpoint = endpointIn(stdout);
    const client = new DynamoDBClient(dynamoDBClientConfig({ endpoint, region: 'us-east-1' }, {}));
    const partitionKeyOf = async (table: string) => {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
      return { keys: Table?.KeySchema, types: Table?.AttributeDefinitions };
    };
    try {
      expect(stdout).toBe(
        `Local DynamoDB (moto) listening at ${endpoint}, tables "${events}", "${views}", "${leases}" ready.\n` +
          'Use it from your application or tests with:\n' +
          `  export DYNAMODB_ENDPOINT=${endpoint}\n` +
          `  export EVENTS_TABLE=${events}\n` +
          `  export VIEWS_TABLE=${views}\n` +
          `  export LEASE_TABLE=${leases}\n` +
          '  export AWS_REGION=us-east-1\n' +
          'Press Ctrl-C to stop.\n',
      );
      expect(await partitionKeyOf(views)).toEqual({
        keys: [{ AttributeName: '__key', KeyType: 'HASH' }],
        types: [{ AttributeName: '__key', AttributeType: 'S' }],
      });
      expect(await partitionKeyOf(leases)).toEqual({
        keys: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
        types: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
      });
      expect(await createViewTable(client, views)).toBe('exists');
      expect(await createLeaseTable(client, leases)).toBe('exists');
    } finally {
      client.destroy();
      await command.interrupt();
    }
  });

  it('on a port in use, says which in one line and exits 1', async () => {
    const { port, server } = await occupyPort();
    try {
      const run = await runLocal(['--port', String(port)]);

      expect(run).toEqual({
        exitCode: 1,
        stdout: '',
        stderr:
          `nestjs-dynamo-es: Port ${port} on 127.0.0.1 is already in use: stop what holds it, or choose ` +
          'another with --port (0 picks a free one).\n',
      });
    } finally {
      server.close();
    }
  });

  it('without moto, says how to get it or DynamoDB Local in one line, and exits 1', async () => {
    const { python, remove } = await pythonWithoutMoto();
    try {
      const run = await runLocal(['--port', '0'], { PYTHON: python });

      expect(run.exitCode).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')).toEqual([expect.any(String), '']);
      expect(run.stderr).toContain(
        `nestjs-dynamo-es: Cannot start the local DynamoDB: moto's server is not installed for "${python}" ` +
          `(No module named 'moto').`,
      );
      expect(run.stderr).toContain(
        `pip install "moto[server]" (${python} -m pip install --user 'moto[server]')`,
      );
      expect(run.stderr).toContain('point DYNAMODB_ENDPOINT at DynamoDB Local');
      expect(run.stderr).toContain('docker run -p 8000:8000 amazon/dynamodb-local');
    } finally {
      await remove();
    }
  });

  it('without Python, says so and how to get moto, and exits 1', async () => {
    const run = await runLocal(['--port', '0'], { PYTHON: '/nonexistent/python3' });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /^nestjs-dynamo-es: Cannot start the local DynamoDB: Python "\/nonexistent\/python3" could not be run \(ENOENT\)\. .*pip install "moto\[server\]".*DYNAMODB_ENDPOINT.*\n$/,
    );
  });

  describe('usage errors: nothing is started, exit code 2', () => {
    it.each([
      [['--port', 'eighty'], 'Invalid port "eighty": expected a number from 0 to 65535'],
      [['--port', '65536'], 'Invalid port "65536"'],
      [['--port'], 'Option --port needs a value.'],
      [['--table', 'a'], 'Invalid table name "a"'],
      [['--table', ','], 'Option --table needs a table name.'],
      [['--views-table', 'v'], 'Invalid table name "v"'],
      [['--lease-table'], 'Option --lease-table needs a value.'],
      [
        ['--table', 'events,audit', '--lease-table', 'audit'],
        '"audit" names both the events table and the lease table: each needs a table of its own.',
      ],
      [['--endpoint', 'http://localhost:8000'], 'Unknown option "--endpoint" for local.'],
      [['now'], 'Unexpected argument "now".'],
    ])('local %j', async (args, message) => {
      const run = await runLocal(args);

      expect(run.exitCode).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`nestjs-dynamo-es: ${message}`);
      expect(run.stderr).toContain('See "nestjs-dynamo-es local --help".\n');
    });
  });

  describe('--help', () => {
    it('of local shows every option and its defaults, and exits 0', async () => {
      const run = await runLocal(['--help']);

      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(/^Usage: nestjs-dynamo-es local \[--port <n>\]/);
      for (const option of [
        '--port <n>',
        '--table <name>',
        '--views-table <name>',
        '--lease-table <name>',
        '--host <address>',
        '-h, --help',
      ])
        expect(run.stdout).toContain(`\n  ${option}`);
      expect(run.stdout).toContain('Default 8000; 0 picks a free one.');
      expect(run.stdout).toContain('pip install "moto[server]"');
    });

    it('of the CLI lists local', async () => {
      let stdout = '';
      await runCli(['--help'], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: process.stderr,
        env: {},
      });

      expect(stdout).toMatch(/\n {2}local {11}Run a local DynamoDB/);
    });
  });
});
