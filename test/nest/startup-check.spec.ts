import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AggregateRepository,
  DYNAMODB_CLIENT,
  DynamoEventStoreModule,
  type DynamoEventStoreModuleOptions,
  getAggregateRepositoryToken,
  TableCheckError,
  TableNotFoundError,
} from '../../lib/index.js';
import {
  createLeaseTable,
  createViewTable,
  DynamoProjectionsModule,
  type DynamoProjectionsModuleOptions,
  StreamRunnerHost,
} from '../../lib/projections/index.js';
import { type Refusal, FaultProxy } from '../fault-proxy/fault-proxy.js';
import { BANK_ACCOUNT_EVENTS, BankAccount } from '../fixtures/bank-account.js';
import { createTestTable, testClient, testClientConfig } from '../support/dynamodb.js';
import { startLocalDynamoDB } from '../../lib/testing/local-dynamodb.js';
import { RequestLog } from '../support/request-log.js';

/**
 * The check of the tables when an application starts: a misconfigured application fails `init()` with a
 * TableCheckError that names the table, the endpoint or region, what is wrong and the fix; a right one starts
 * having sent DescribeTable alone.
 */

let setup: DynamoDBClient;
let endpoint: string;
let eventsTable: string;
let viewsTable: string;
let leaseTable: string;
const opened: TestingModule[] = [];
/** The requests of the last application started. */
let lastSent: RequestLog;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  setup = testClient();
  endpoint = process.env.DYNAMODB_ENDPOINT!;
  eventsTable = await createTestTable(setup);
  [viewsTable, leaseTable] = [`views-check-${randomUUID()}`, `leases-check-${randomUUID()}`];
  await createViewTable(setup, viewsTable);
  await createLeaseTable(setup, leaseTable);
});
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
  for (const client of clients.splice(0)) client.destroy();
});
afterAll(() => setup.destroy());

const missing = (kind: string) => `${kind}-missing-${randomUUID()}`;

function clientOf(config: DynamoDBClientConfig): DynamoDBClient {
  const client = new DynamoDBClient(config);
  clients.push(client);
  return client;
}

interface AppOptions {
  readonly eventStore?: Partial<DynamoEventStoreModuleOptions>;
  /** With projections when given. */
  readonly projections?: Partial<DynamoProjectionsModuleOptions>;
}

function appModules({ eventStore, projections }: AppOptions): DynamicModule[] {
  return [
    CqrsModule.forRoot(),
    DynamoEventStoreModule.forRoot({
      tableName: eventsTable,
      clientConfig: testClientConfig(),
      ...eventStore,
    }),
    DynamoEventStoreModule.forFeature([{ aggregate: BankAccount, events: BANK_ACCOUNT_EVENTS }]),
    ...(projections
      ? [
          DynamoProjectionsModule.forRoot({
            viewsTable,
            runner: false,
            idleDelayMs: 50,
            ...projections,
          }),
        ]
      : []),
  ];
}

/** Compiles the application, logs every request its DynamoDB client sends, and starts it. */
async function start(options: AppOptions): Promise<{ app: TestingModule; sent: RequestLog }> {
  const app = await Test.createTestingModule({ imports: appModules(options) }).compile();
  app.useLogger(false);
  opened.push(app);
  const sent = RequestLog.attachTo(app.get<DynamoDBClient>(DYNAMODB_CLIENT));
  lastSent = sent;
  await app.init();
  return { app, sent };
}

/** The error the application's start fails with. */
async function startFailure(options: AppOptions): Promise<TableCheckError> {
  const failure: unknown = await start(options).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(TableCheckError);
  return failure as TableCheckError;
}

/** Runs `use` with the environment variables changed as given (undefined: unset), then restores them. */
async function withEnvironment<T>(
  changes: Readonly<Record<string, string | undefined>>,
  use: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(changes).map((name) => [name, process.env[name]]));
  const apply = (values: Readonly<Record<string, string | undefined>>) => {
    for (const [name, value] of Object.entries(values))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  };
  apply(changes);
  try {
    return await use();
  } finally {
    apply(saved);
  }
}

/** A port of 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('an application whose tables are right', () => {
  it('starts, having sent one DescribeTable of the events table and nothing else', async () => {
    const { app, sent } = await start({});

    expect(sent.requests).toEqual([
      { command: 'DescribeTableCommand', input: { TableName: eventsTable } },
    ]);
    const accounts = app.get<AggregateRepository<BankAccount>>(
      getAggregateRepositoryToken(BankAccount),
    );
    const account = await accounts.load(randomUUID());
    account.open('Ada');
    await accounts.save(account);
  });

  it('with projections, also describes the views table, and not the lease table of an instance without a runner', async () => {
    const { sent } = await start({ projections: { leaseTable: missing('leases') } });

    expect(sent.requests.map(({ input }) => input.TableName).sort()).toEqual(
      [eventsTable, viewsTable].sort(),
    );
    expect(sent.count()).toBe(sent.count('DescribeTableCommand'));
  });

  it('with the stream runner, also describes the lease table, before the runner starts', async () => {
    const streamsClient = new DynamoDBStreamsClient(testClientConfig());
    clients.push(streamsClient);

    const { app, sent } = await start({
      projections: { leaseTable, runner: true, streamsClient },
    });

    const checks = sent.requests.filter(({ command }) => command === 'DescribeTableCommand');
    expect(checks.slice(0, 3).map(({ input }) => input.TableName)).toEqual([
      eventsTable,
      viewsTable,
      leaseTable,
    ]);
    // The runner's own requests (it too describes the events table, for its stream) come after the checks.
    expect(sent.requests.slice(0, 3)).toEqual(checks.slice(0, 3));
    expect(app.get(StreamRunnerHost).status()).toBeDefined();
  });
});

describe('the table', () => {
  it('missing: names the table and the endpoint, and the command that creates it', async () => {
    const tableName = missing('events');

    const error = await startFailure({ eventStore: { tableName } });

    expect(error).toMatchObject({
      problem: 'table-missing',
      tableName,
      endpoint,
      region: 'us-east-1',
      cause: expect.objectContaining({ name: 'ResourceNotFoundException' }),
    });
    expect(error.message).toBe(
      `The events table "${tableName}" at ${endpoint} does not exist. Create it with ` +
        `\`npx nestjs-dynamo-es create-tables --table ${tableName} --endpoint ${endpoint}\` ` +
        '(or createEventStoreTable()), or correct `tableName` of DynamoEventStoreModule.forRoot().',
    );
  });

  it('with another key schema: says which it has and which the store needs', async () => {
    const tableName = `events-other-keys-${randomUUID()}`;
    await setup.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    const error = await startFailure({ eventStore: { tableName } });

    expect(error).toMatchObject({ problem: 'key-schema', tableName, endpoint });
    expect(error.message).toBe(
      `The events table "${tableName}" at ${endpoint} has key schema pk (S, HASH); the event store needs ` +
        'streamId (S, HASH) + version (N, RANGE). Correct `tableName` of DynamoEventStoreModule.forRoot() to ' +
        'name a table created for it, or recreate this one (create-tables).',
    );
  });

  it('not ACTIVE yet: says to start once it is', async () => {
    // moto's tables are ACTIVE at once: the status DynamoDB answers while it creates a table is put in its answer.
    const client = clientOf(testClientConfig());
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const { Table } = result.output as { Table?: TableDescription };
        if (Table) Table.TableStatus = 'CREATING';
        return result;
      },
      { step: 'initialize', name: 'tableBeingCreated' },
    );

    const error = await startFailure({ eventStore: { client } });

    expect(error).toMatchObject({ problem: 'not-active', tableName: eventsTable });
    expect(error.message).toBe(
      `The events table "${eventsTable}" at ${endpoint} is CREATING, not ACTIVE: start the application once ` +
        `it is ACTIVE (\`aws dynamodb wait table-exists --table-name ${eventsTable}\`).`,
    );
  });
});

describe('the client', () => {
  it('without a region: says to set AWS_REGION or clientConfig.region, and sends nothing', async () => {
    const error = await withEnvironment(
      { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined },
      () =>
        startFailure({
          eventStore: {
            clientConfig: {
              endpoint,
              credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
              // The profile's config file could hold a region.
              profile: `no-such-profile-${randomUUID()}`,
            },
          },
        }),
    );

    expect(error).toMatchObject({ problem: 'no-region', endpoint, region: undefined });
    expect(lastSent.count()).toBe(0);
    expect(error.message).toBe(
      `Cannot check the events table "${eventsTable}" at ${endpoint}: no AWS region is configured, and the ` +
        'SDK signs every request for a region, even to a local endpoint. Set AWS_REGION, or ' +
        'clientConfig.region in DynamoEventStoreModule.forRoot() (dynamoDBClientConfig({ endpoint }) sets one ' +
        'for a local endpoint).',
    );
  });

  it('without credentials: says where credentials come from, not that access was refused', async () => {
    const nowhere = `/nonexistent-${randomUUID()}`;
    const error = await withEnvironment(
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_SHARED_CREDENTIALS_FILE: `${nowhere}/credentials`,
        AWS_CONFIG_FILE: `${nowhere}/config`,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        // Else the chain's last link asks the EC2 instance metadata service, which is not there to answer.
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      // Not dynamoDBClientConfig: it gives a local endpoint dummy credentials.
      () => startFailure({ eventStore: { clientConfig: { endpoint, region: 'eu-west-1' } } }),
    );

    expect(error).toMatchObject({
      problem: 'no-credentials',
      endpoint,
      region: 'eu-west-1',
      cause: expect.objectContaining({ name: 'CredentialsProviderError' }),
    });
    expect(error.message).toBe(
      `Cannot check the events table "${eventsTable}" at ${endpoint}: no AWS credentials were found ` +
        '(CredentialsProviderError: Could not load credentials from any providers). Set AWS_PROFILE, or ' +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values for a local emulator), or run where a role ' +
        "provides them (an ECS task role, an EC2 instance profile, a Lambda function's role).",
    );
    expect(error.message).not.toMatch(/refused|denied/i);
  });

  it('at an endpoint nothing listens on: names the endpoint', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}`;

    const error = await startFailure({
      eventStore: {
        clientConfig: { ...testClientConfig(), endpoint: unreachable },
        maxAttempts: 1,
      },
    });

    expect(error).toMatchObject({ problem: 'unreachable', endpoint: unreachable });
    expect(error.message).toBe(
      `Could not reach DynamoDB at ${unreachable} to check the events table "${eventsTable}" ` +
        '(ECONNREFUSED). Start the endpoint, or correct clientConfig.endpoint.',
    );
  });

  it('refused by an endpoint that checks credentials and answers a bare 403: says to check both credentials and policy', async () => {
    // A moto of its own that checks credentials, which the shared one does not; it refuses with an XML 403.
    const guarded = await startLocalDynamoDB({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '0' } });
    try {
      const error = await startFailure({
        eventStore: {
          clientConfig: {
            ...testClientConfig(),
            endpoint: guarded.endpoint,
            credentials: { accessKeyId: 'AKIAWRONG', secretAccessKey: 'wrong' },
          },
        },
      });

      expect(error).toMatchObject({ problem: 'credentials-refused', endpoint: guarded.endpoint });
      expect(error.message).toBe(
        `DynamoDB at ${guarded.endpoint} refused the request to check the events table "${eventsTable}" with ` +
          '403 Forbidden, and no error name that says why. Check the credentials (AWS_ACCESS_KEY_ID and ' +
          'AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), and that they may dynamodb:DescribeTable the table: ' +
          'deploy/event-store-iam-policy.json in the nestjs-dynamo-es repository allows every request the ' +
          'application sends.',
      );
    } finally {
      await guarded.stop();
    }
  });

  describe('refused by DynamoDB', () => {
    let proxy: FaultProxy;

    beforeEach(async () => {
      proxy = await FaultProxy.start(endpoint);
    });
    afterEach(() => proxy.stop());

    const refusedWith = (error: Refusal, options: AppOptions = {}) => {
      proxy.inject({
        operation: 'DescribeTable',
        fault: { kind: 'refuse', error },
        times: Infinity,
      });
      return startFailure({
        ...options,
        eventStore: {
          clientConfig: { ...testClientConfig(), endpoint: proxy.endpoint },
          ...options.eventStore,
        },
      });
    };

    it.each<Refusal>([
      'UnrecognizedClientException',
      'InvalidSignatureException',
      'ExpiredTokenException',
    ])('%s: says the credentials were refused, and which to check', async (refusal) => {
      const error = await refusedWith(refusal);

      expect(error).toMatchObject({
        problem: 'credentials-refused',
        tableName: eventsTable,
        endpoint: proxy.endpoint,
        cause: expect.objectContaining({ name: refusal }),
      });
      expect(error.message).toMatch(
        new RegExp(
          `^DynamoDB at ${proxy.endpoint} refused the credentials sent to check the events table ` +
            `"${eventsTable}" \\(${refusal}: .+\\)\\. Use an active access key of the account that owns the ` +
            'table: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \\(with AWS_SESSION_TOKEN for ' +
            'temporary credentials\\), or AWS_PROFILE\\.$',
        ),
      );
    });

    it('AccessDeniedException: says to allow dynamodb:DescribeTable, with the policy that does', async () => {
      const error = await refusedWith('AccessDeniedException');

      expect(error).toMatchObject({ problem: 'not-allowed', tableName: eventsTable });
      expect(error.message).toMatch(
        new RegExp(
          `^The credentials may not describe the events table "${eventsTable}" at ${proxy.endpoint} ` +
            '\\(AccessDeniedException: User: .+ is not authorized to perform: dynamodb:DescribeTable .+\\)\\. ' +
            "Allow dynamodb:DescribeTable on the table to the application's role or user: " +
            'deploy/event-store-iam-policy.json in the nestjs-dynamo-es repository allows every request the ' +
            'application sends\\.$',
        ),
      );
    });

    it("AccessDeniedException on the views table: names the projections' policy", async () => {
      // The events table's check passes; the views table's is refused.
      proxy.inject({
        operation: 'DescribeTable',
        fault: { kind: 'refuse', error: 'AccessDeniedException' },
        after: 1,
      });

      const error = await startFailure({
        eventStore: { clientConfig: { ...testClientConfig(), endpoint: proxy.endpoint } },
        projections: {},
      });

      expect(error).toMatchObject({ problem: 'not-allowed', tableName: viewsTable });
      expect(error.message).toContain(
        `dynamodb:DescribeTable on resource: arn:aws:dynamodb:us-east-1:123456789012:table/${viewsTable} `,
      );
      expect(error.message).toContain(
        ': deploy/projections-iam-policy.json in the nestjs-dynamo-es',
      );
    });
  });
});

describe('with projections', () => {
  it('a missing views table: names it, and the command that creates it beside the events table', async () => {
    const views = missing('views');

    const error = await startFailure({ projections: { viewsTable: views } });

    expect(error).toMatchObject({ problem: 'table-missing', tableName: views, endpoint });
    expect(error.message).toBe(
      `The views table "${views}" at ${endpoint} does not exist. Create it with ` +
        `\`npx nestjs-dynamo-es create-tables --table ${eventsTable} --views-table ${views} ` +
        `--endpoint ${endpoint}\` (or createViewTable()), or correct \`viewsTable\` of ` +
        'DynamoProjectionsModule.forRoot().',
    );
  });

  it('a missing lease table, where the runner runs: fails before the runner starts', async () => {
    const leases = missing('leases');
    const streamsClient = new DynamoDBStreamsClient(testClientConfig());
    clients.push(streamsClient);
    const sentStreams = RequestLog.attachTo(streamsClient as unknown as DynamoDBClient);

    const error = await startFailure({
      projections: { leaseTable: leases, runner: true, streamsClient },
    });

    expect(error).toMatchObject({ problem: 'table-missing', tableName: leases });
    expect(error.message).toContain(
      `--table ${eventsTable} --lease-table ${leases} --endpoint ${endpoint}`,
    );
    expect(sentStreams.count()).toBe(0);
  });

  it('a views table with the key schema of another store: says which the view store needs', async () => {
    const error = await startFailure({ projections: { viewsTable: eventsTable } });

    expect(error).toMatchObject({ problem: 'key-schema', tableName: eventsTable });
    expect(error.message).toContain(
      'has key schema streamId (S, HASH) + version (N, RANGE); the view store needs __key (S, HASH).',
    );
  });
});

describe('checkTablesOnStartup: false', () => {
  it('starts without a request, and the first save fails as it would without the check', async () => {
    const tableName = missing('events');

    const { app, sent } = await start({
      eventStore: { tableName, checkTablesOnStartup: false },
    });

    expect(sent.count()).toBe(0);
    const accounts = app.get<AggregateRepository<BankAccount>>(
      getAggregateRepositoryToken(BankAccount),
    );
    const account = accounts.create(randomUUID());
    account.open('Ada');
    await expect(accounts.save(account)).rejects.toBeInstanceOf(TableNotFoundError);
  });

  it("on the event store, holds for the projections' tables too, unless they say otherwise", async () => {
    const views = missing('views');

    const { sent } = await start({
      eventStore: { checkTablesOnStartup: false },
      projections: { viewsTable: views },
    });
    expect(sent.count()).toBe(0);

    const error = await startFailure({
      eventStore: { checkTablesOnStartup: false },
      projections: { viewsTable: views, checkTablesOnStartup: true },
    });
    expect(error).toMatchObject({ problem: 'table-missing', tableName: views });
  });

  it('on the projections alone, still checks the events table', async () => {
    const { sent } = await start({
      projections: { viewsTable: missing('views'), checkTablesOnStartup: false },
    });

    expect(sent.requests.map(({ input }) => input.TableName)).toEqual([eventsTable]);
  });
});

describe('an application started by NestFactory', () => {
  it('fails listen() before it listens', async () => {
    @Module({ imports: appModules({ eventStore: { tableName: missing('events') } }) })
    class MisconfiguredModule {}
    const app = await NestFactory.create(MisconfiguredModule, {
      logger: false,
      abortOnError: false,
    });

    try {
      await expect(app.listen(0, '127.0.0.1')).rejects.toMatchObject({
        name: 'TableCheckError',
        problem: 'table-missing',
      });
      expect((app.getHttpServer() as { listening: boolean }).listening).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('fails createApplicationContext()', async () => {
    @Module({ imports: appModules({ eventStore: { tableName: missing('events') } }) })
    class MisconfiguredModule {}

    await expect(
      NestFactory.createApplicationContext(MisconfiguredModule, {
        logger: false,
        abortOnError: false,
      }),
    ).rejects.toBeInstanceOf(TableCheckError);
  });
});
