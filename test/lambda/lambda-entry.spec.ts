import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBStreamHandler } from 'aws-lambda';
import { streamIdOf } from '../../lib/index.js';
import { createProjectionsHandler } from '../../lib/lambda/index.js';
import { nodeWithout } from '../support/without-packages.js';
import { type LambdaFixture, lambdaFixture } from './support/lambda-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(ROOT, 'lib/lambda/index.ts');
const FUNCTION_PROCESS = fileURLToPath(
  new URL('./support/lambda-function-process.ts', import.meta.url),
);

/** What a Lambda function never needs: Lambda reads the stream; tests, the CLI and HTTP are elsewhere. */
const NOT_IN_A_FUNCTION = [
  '@aws-sdk/client-dynamodb-streams',
  '@nestjs/testing',
  '@nestjs/platform-express',
  'express',
  'commander',
];

/**
 * The files and packages a source imports at run time, followed through its relative imports: `import type` and
 * imports of types only are erased by the compiler, and a dynamic import() loads only when it runs.
 */
function runtimeImportGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    const statements = source.matchAll(
      /^(?:import|export)\s+(type\s+)?(?:([\s\S]*?)\s+from\s+)?'([^']+)';/gm,
    );
    for (const [, typeOnly, clause, specifier] of statements) {
      if (typeOnly) continue;
      const names = clause?.match(/^\{([\s\S]*)\}$/)?.[1];
      const onlyTypes =
        names !== undefined &&
        names
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean)
          .every((name) => name.startsWith('type '));
      if (onlyTypes) continue;
      if (specifier!.startsWith('.')) {
        visit(resolve(dirname(file), specifier!.replace(/\.js$/, '.ts')));
      } else {
        packages.add(
          specifier!.startsWith('@')
            ? specifier!.split('/').slice(0, 2).join('/')
            : specifier!.split('/')[0]!,
        );
      }
    }
  };
  visit(entry);
  return {
    files: [...files].map((file) => relative(ROOT, file)).sort(),
    packages: [...packages].sort(),
  };
}

describe('nestjs-dynamo-es/lambda, the entry of a Lambda function', () => {
  let fx: LambdaFixture;
  let directory: string;

  beforeAll(async () => {
    fx = await lambdaFixture();
    directory = await mkdtemp(join(tmpdir(), 'lambda-entry-'));
  });
  afterAll(async () => {
    fx.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('loads and applies a batch where the Streams client, the testing kit and express cannot be found', async () => {
    const id = randomUUID();
    await fx.store.appendToStream(streamIdOf('BankAccount', id), 0, [
      { type: 'AccountOpened', payload: { accountId: id, owner: 'Ada' } },
      { type: 'MoneyDeposited', payload: { accountId: id, amount: 12 } },
    ]);
    const eventFile = join(directory, 'event.json');
    await writeFile(eventFile, JSON.stringify(fx.lambdaEvent(await fx.streamRecords())));

    const { stdout } = await nodeWithout(NOT_IN_A_FUNCTION, [FUNCTION_PROCESS, eventFile], {
      EVENTS_TABLE: fx.eventsTable,
      VIEWS_TABLE: fx.viewsTable,
      ACCOUNT_ID: id,
    });

    expect(JSON.parse(stdout)).toEqual({
      response: { batchItemFailures: [] },
      document: { owner: 'Ada', balance: 12 },
    });
  });

  it('gives a handler of the type @types/aws-lambda declares for a DynamoDB stream, building nothing before it is invoked', () => {
    let built = 0;
    const handler: DynamoDBStreamHandler = createProjectionsHandler(() => {
      built++;
      return Promise.reject(new Error('not invoked in this test'));
    });

    expect(typeof handler).toBe('function');
    expect(built).toBe(0);
  });

  it('imports nothing at load of the runner, the CLI, the testing kit or the packages only they use', () => {
    const { files, packages } = runtimeImportGraph(ENTRY);

    expect(
      files.filter((file) =>
        /^lib\/(cli|testing)\/|streams\/stream-runner|streams-client/.test(file),
      ),
    ).toEqual([]);
    expect(packages.filter((name) => NOT_IN_A_FUNCTION.includes(name))).toEqual([]);
    // The graph is read from the sources: make sure it was followed, not cut short.
    expect(files).toEqual(
      expect.arrayContaining([
        'lib/lambda/index.ts',
        'lib/projections/nest/projections.service.ts',
        'lib/projections/stream-events.ts',
      ]),
    );
    expect(files.every((file) => existsSync(join(ROOT, file)))).toBe(true);
  });
});
