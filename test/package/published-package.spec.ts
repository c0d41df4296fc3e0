import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestTable, testClient } from '../support/dynamodb.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const INSTALL_TIMEOUT = 300_000;

interface PackedFile {
  readonly path: string;
}

let appDir: string;
let packedFiles: string[];
let tableName: string;

/** Packs the library as `npm publish` would, and installs the tarball into a new application with its peers. */
beforeAll(async () => {
  appDir = await mkdtemp(join(tmpdir(), 'nestjs-dynamo-es-consumer-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', appDir], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as {
    filename: string;
    files: PackedFile[];
  }[];
  packedFiles = packed!.files.map((file) => file.path);

  const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  // The peers at the versions this repository tests with.
  const peers = Object.fromEntries(
    Object.keys(manifest.peerDependencies).map((name) => [name, manifest.devDependencies[name]]),
  );
  await writeFile(
    join(appDir, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { 'nestjs-dynamo-es': `file:./${packed!.filename}`, ...peers },
    }),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: appDir,
    maxBuffer: 16 * 1024 * 1024,
  });

  const client = testClient();
  tableName = await createTestTable(client);
  client.destroy();
}, INSTALL_TIMEOUT);
afterAll(() => rm(appDir, { recursive: true, force: true }));

function node(script: string, args: string[] = []) {
  return run(process.execPath, [script, ...args], {
    cwd: appDir,
    env: { ...process.env, NODE_OPTIONS: '', EVENTS_TABLE: tableName },
  });
}

describe('the published package', () => {
  it('holds compiled ESM, type declarations, the CLI and the README, and no sources or tests', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/framework-free.js',
        'dist/framework-free.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
        'dist/cli/main.js',
      ]),
    );
    const unwanted = packedFiles.filter(
      (path) =>
        !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(path),
    );
    expect(unwanted).toEqual([]);
    expect(
      packedFiles.filter((path) => /\.(ts|map)$/.test(path) && !path.endsWith('.d.ts')),
    ).toEqual([]);
  });

  it('boots a Nest application that saves and loads an aggregate through the installed package', async () => {
    await writeFile(join(appDir, 'app.mjs'), CONSUMER_APP);

    const { stdout } = await node('app.mjs');

    expect(JSON.parse(stdout)).toEqual({ owner: 'Ada', version: 1, history: ['AccountOpened'] });
  });

  it('type-checks a TypeScript consumer against the declarations its exports point to', async () => {
    await writeFile(join(appDir, 'consumer.ts'), TYPED_CONSUMER);
    await writeFile(
      join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          experimentalDecorators: true,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );

    await expect(
      run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', appDir]),
    ).resolves.toBeDefined();
  });

  it('resolves both entries from CommonJS too, as a default Nest project or a jest global setup requires them', async () => {
    await writeFile(
      join(appDir, 'required.cjs'),
      "const { InMemoryEventStore } = require('nestjs-dynamo-es');\n" +
        "const testing = require('nestjs-dynamo-es/testing');\n" +
        'console.log(testing.InMemoryEventStore === InMemoryEventStore, typeof testing.startLocalDynamoDB);\n',
    );

    const { stdout } = await node('required.cjs');

    expect(stdout.trim()).toBe('true function');
  });

  it("gives the framework-free core to ESM and CommonJS: the main entry's classes, no Nest loaded", async () => {
    await writeFile(join(appDir, 'core.mjs'), CORE_CONSUMER);
    await writeFile(
      join(appDir, 'core.cjs'),
      "const core = require('nestjs-dynamo-es/core');\n" +
        "const main = require('nestjs-dynamo-es');\n" +
        'console.log(core.DynamoEventStore === main.DynamoEventStore, core.InMemoryEventStore === main.InMemoryEventStore);\n',
    );

    const { stdout: fromEsm } = await node('core.mjs');
    const { stdout: fromCommonJs } = await node('core.cjs');

    expect(JSON.parse(fromEsm)).toEqual({
      versions: [1, 2],
      types: ['Opened', 'Renamed'],
      nest: [],
    });
    expect(fromCommonJs.trim()).toBe('true true');
  });

  it('installs the CLI as a bin that creates tables', async () => {
    const bin = join('node_modules', '.bin', 'nestjs-dynamo-es');
    const { stdout: help } = await run(bin, ['--help'], { cwd: appDir });
    expect(help).toContain('create-tables');

    const { stdout } = await node(bin, ['create-tables']);

    expect(stdout).toMatch(/exists/i);
  });

  it('installs the CLI as a bin that runs a local DynamoDB until Ctrl-C', async () => {
    const bin = join(appDir, 'node_modules', '.bin', 'nestjs-dynamo-es');
    const local = spawn(bin, ['local', '--port', '0'], {
      cwd: appDir,
      env: { ...process.env, NODE_OPTIONS: '', EVENTS_TABLE: 'events' },
    });
    let stdout = '';
    let stderr = '';
    local.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.endsWith('Press Ctrl-C to stop.\n')) local.kill('SIGINT');
    });
    local.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

    const exitCode = await new Promise((resolve) => local.once('close', resolve));

    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(stdout).toMatch(
      /^Local DynamoDB \(moto\) listening at http:\/\/127\.0\.0\.1:\d+, table "events" ready\.\n/,
    );
    expect(stdout).toMatch(
      /Press Ctrl-C to stop\.\nStopped the local DynamoDB; its data is gone\.\n$/,
    );
  });
});

const CONSUMER_APP = `
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AggregateRoot, CqrsModule } from '@nestjs/cqrs';
import {
  dynamoDBClientConfig,
  DynamoEventStoreModule,
  getAggregateRepositoryToken,
} from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';

class AccountOpened {
  constructor(accountId, owner) {
    this.accountId = accountId;
    this.owner = owner;
  }
}

class Account extends AggregateRoot {
  constructor(id) {
    super();
    this.id = id;
  }
  open(owner) {
    this.apply(new AccountOpened(this.id, owner));
  }
  onAccountOpened(event) {
    this.owner = event.owner;
  }
}

class AppModule {}
Module({
  imports: [
    CqrsModule.forRoot(),
    DynamoEventStoreModule.forRootAsync({
      useFactory: () => ({
        tableName: process.env.EVENTS_TABLE,
        clientConfig: dynamoDBClientConfig({ endpoint: process.env.DYNAMODB_ENDPOINT }),
      }),
    }),
    DynamoEventStoreModule.forFeature([{ aggregate: Account, events: [AccountOpened] }]),
  ],
})(AppModule);

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const accounts = app.get(getAggregateRepositoryToken(Account));
const id = crypto.randomUUID();
const account = await accounts.load(id);
account.open('Ada');
await accounts.save(account);
const loaded = await accounts.load(id);
const history = await lastValueFrom(accounts.history(id).pipe(toArray()));
await app.close();
console.log(JSON.stringify({
  owner: loaded.owner,
  version: accounts.versionOf(loaded),
  history: history.map((envelope) => envelope.type),
}));
`;

const CORE_CONSUMER = `
import { createRequire } from 'node:module';
import { createDynamoDBClient, DynamoEventStore, InMemoryEventStore, streamIdOf } from 'nestjs-dynamo-es/core';

const store = new InMemoryEventStore();
const stream = streamIdOf('Account', 'a-1');
const { version } = await store.appendToStream(stream, 0, [{ type: 'Opened', payload: { owner: 'Ada' } }]);
await store.appendToStream(stream, version, [{ type: 'Renamed', payload: { owner: 'Grace' } }]);
const events = [];
await store.readStream(stream).forEach((event) => events.push(event));
const client = createDynamoDBClient();
new DynamoEventStore({ client, tableName: 'events' });
client.destroy();
// @nestjs/* are CommonJS: whatever loaded them, from ESM too, put them in the require cache.
const nest = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/@nestjs/'));
console.log(JSON.stringify({
  versions: events.map((event) => event.version),
  types: events.map((event) => event.type),
  nest,
}));
`;

const TYPED_CONSUMER = `
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AggregateRoot } from '@nestjs/cqrs';
import {
  type AggregateRepository,
  ConcurrencyError,
  DynamoEventStore,
  DynamoEventStoreModule,
  type EventEnvelope,
  type EventStore,
  InjectAggregateRepository,
} from 'nestjs-dynamo-es';
import {
  aggregateScenario,
  InMemoryEventStore,
  InMemoryEventStoreModule,
  startLocalDynamoDB,
} from 'nestjs-dynamo-es/testing';
import { DynamoProjectionsModule, Projections, type RebuildProgress } from 'nestjs-dynamo-es/projections';
import { createProjectionsHandler, type ProjectionsHandler } from 'nestjs-dynamo-es/lambda';
import { EventStoreHealthIndicator, EventStoreHealthModule } from 'nestjs-dynamo-es/health';
import {
  createDynamoDBClient,
  DynamoEventStore as CoreDynamoEventStore,
  type EventStore as CoreEventStore,
  InMemoryEventStore as CoreInMemoryEventStore,
  NO_TRACING,
  type Tracing,
} from 'nestjs-dynamo-es/core';

class Account extends AggregateRoot {
  constructor(readonly id: string) {
    super();
  }
}

export const module = DynamoEventStoreModule.forFeature([{ aggregate: Account, events: [] }]);
export const inject: ParameterDecorator = InjectAggregateRepository(Account);

export async function version(accounts: AggregateRepository<Account>, id: string): Promise<number> {
  try {
    return accounts.versionOf(await accounts.load(id));
  } catch (error) {
    if (error instanceof ConcurrencyError) return error.expectedVersion;
    throw error;
  }
}

export function store(client: DynamoDBClient): DynamoEventStore {
  return new DynamoEventStore({ client, tableName: 'events' });
}

export type Envelope = EventEnvelope;

export const testing = InMemoryEventStoreModule.forRoot();
export const inMemory: EventStore = new InMemoryEventStore();
export const scenario = () => aggregateScenario(Account, 'a-1').when(() => undefined).thenApplied();
export const local = startLocalDynamoDB;
export const projections = DynamoProjectionsModule.forRoot({ viewsTable: 'views', runner: false });
export const rebuild = (service: Projections): Promise<RebuildProgress> => service.rebuild('balances');
export const handler: ProjectionsHandler = createProjectionsHandler(projections);
export const health = EventStoreHealthModule;
export type Indicator = EventStoreHealthIndicator;
export const tracing: Tracing = NO_TRACING;
export const core: CoreEventStore = new CoreDynamoEventStore({
  client: createDynamoDBClient(),
  tableName: 'events',
  tracing,
});
// The core's classes are the main entry's: a store from one is a store of the other.
export const sameStore: DynamoEventStore = core as CoreDynamoEventStore;
export const sameInMemory: InMemoryEventStore = new CoreInMemoryEventStore();
`;
