import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NestFactory } from '@nestjs/core';
import { DynamoEventStore, streamIdOf } from '../../lib/index.js';
import {
  createViewTable,
  getViewRepositoryToken,
  type ProjectionState,
  Projections,
  type RebuildProgress,
  type ViewRepository,
} from '../../lib/projections/index.js';
import { withoutStreamRunner } from '../../lib/cli/application-context.js';
import { runCli } from '../../lib/cli/run-cli.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { AppModule, CartSizes } from './fixtures/cart-app.module.mjs';

interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  /** stdout as a terminal's: `isTTY`, and this many columns. */
  readonly terminalColumns?: number;
  /** Ctrl-C as soon as the first progress report is written (with --json). */
  readonly interruptOnFirstReport?: boolean;
}

/** Runs `nestjs-dynamo-es <argv…>` in-process, as main.ts does, Ctrl-C included. */
async function cli(argv: string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let interrupt!: () => void;
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
  const exitCode = await runCli(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text;
        if (options.interruptOnFirstReport && text.includes('"status":"running"')) interrupt();
      },
      isTTY: options.terminalColumns !== undefined,
      columns: options.terminalColumns,
    },
    stderr: { write: (text: string) => (stderr += text) },
    env: process.env,
    untilInterrupted: () => interrupted,
  });
  return { exitCode, stdout, stderr };
}

/** The application's compiled root module, its projection "cart-sizes" counting the items added to each cart. */
const FIXTURE = fileURLToPath(new URL('./fixtures/cart-app.module.mjs', import.meta.url));
const CARTS = 6;
const QUANTITIES = [1, 2, 3];
const ITEMS_PER_CART = 6;
const SEEDED_EVENTS = CARTS * QUANTITIES.length;
/** Erases the rest of the line, after each redrawn status line. */
const CLEAR_TO_END_OF_LINE = '\u001b[K';

const rebuildArgs = (...more: string[]) => ['rebuild', 'cart-sizes', '--module', FIXTURE, ...more];

const reportsIn = (stdout: string): RebuildProgress[] =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RebuildProgress);

describe('nestjs-dynamo-es rebuild', () => {
  describe("on an application's events", () => {
    let client: DynamoDBClient;
    let tables: { events: string; views: string };
    let carts: string[];

    /** One ItemAdded per quantity in each of `count` new carts; their ids. */
    async function seedCarts(count: number): Promise<string[]> {
      const store = new DynamoEventStore({ client, tableName: tables.events });
      const ids = Array.from({ length: count }, () => randomUUID());
      for (const id of ids)
        await store.appendToStream(
          streamIdOf('Cart', id),
          0,
          QUANTITIES.map((quantity) => ({
            type: 'ItemAdded',
            payload: { cartId: id, sku: `sku-${quantity}`, quantity },
          })),
        );
      return ids;
    }

    /** What the application reads after the command: the projection's state, and the view through its repository. */
    async function servedByTheApplication(ids: readonly string[]) {
      return withoutStreamRunner(async () => {
        const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
        try {
          const sizes = app.get<ViewRepository>(getViewRepositoryToken(CartSizes));
          const state: ProjectionState = await app.get(Projections).stateOf('cart-sizes');
          const items = await Promise.all(ids.map(async (id) => (await sizes.get(id))?.items));
          return { state, items, allCarts: (await sizes.get('all-carts'))?.items };
        } finally {
          await app.close();
        }
      });
    }

    /** Every cart's items counted, in the generation served. */
    const rebuiltView = (generation: number, ids: readonly string[]) => ({
      state: { activeGeneration: generation },
      items: ids.map(() => ITEMS_PER_CART),
      allCarts: ids.length * ITEMS_PER_CART,
    });

    beforeAll(() => {
      client = testClient();
    });
    afterAll(() => client.destroy());

    // The module reads its tables from the environment, as an application does; each test has tables of its own.
    beforeEach(async () => {
      tables = { events: await createTestTable(client), views: `views-cli-${randomUUID()}` };
      await createViewTable(client, tables.views);
      process.env.EVENTS_TABLE = tables.events;
      process.env.VIEWS_TABLE = tables.views;
      carts = await seedCarts(CARTS);
    });
    afterEach(async () => {
      for (const TableName of [tables.events, tables.views])
        await client.send(new DeleteTableCommand({ TableName }));
    });

    it('builds a new generation of the view from the events table and serves it, saying so line by line', async () => {
      const run = await cli(rebuildArgs());

      expect(run.exitCode).toBe(0);
      expect(run.stderr).toBe('');
      const lines = run.stdout.split('\n');
      expect(lines[0]).toBe(
        'Rebuilding projection "cart-sizes" from the events table; generation 1 stays served until the new ' +
          'one is built.',
      );
      expect(lines.length).toBeGreaterThan(3);
      for (const progress of lines.slice(1, -2))
        expect(progress).toMatch(
          /^Rebuild of "cart-sizes", generation 2: .*events read\), \d\/4 segments done, \d+ streams? done, \d+ events? applied, [\d,]+ events\/s/,
        );
      expect(lines.at(-2)).toMatch(
        new RegExp(
          `^Rebuilt projection "cart-sizes": generation 2 is built and now served\\. ${SEEDED_EVENTS} events ` +
            `applied, ${CARTS} streams, in \\d+\\.\\ds\\.$`,
        ),
      );
      expect(lines.at(-1)).toBe('');
      expect(await servedByTheApplication(carts)).toEqual(rebuiltView(2, carts));
    });

    it('starts the module without its stream runner, which would need a lease table, and restores the variable', async () => {
      const run = await cli(rebuildArgs('--json'));

      expect(run.exitCode).toBe(0);
      expect(process.env.NESTJS_DYNAMO_ES_RUNNER).toBeUndefined();
    });

    it('with --json, prints one JSON object per progress report and line, the final one last: done, every event applied', async () => {
      const run = await cli(rebuildArgs('--json'));

      expect(run.exitCode).toBe(0);
      const reports = reportsIn(run.stdout);
      expect(reports.slice(0, -1).map(({ status }) => status)).not.toContain('done');
      expect(reports.at(-1)).toMatchObject({
        projection: 'cart-sizes',
        mode: 'rebuild',
        generation: 2,
        segments: 4,
        segmentsDone: 4,
        streamsDone: CARTS,
        eventsRead: SEEDED_EVENTS,
        eventsApplied: SEEDED_EVENTS,
        status: 'done',
      });
      // stdout is the JSON alone: what a person reads goes to stderr.
      expect(run.stderr.split('\n')).toEqual([
        expect.stringMatching(/^Rebuilding projection "cart-sizes" from the events table;/),
        expect.stringMatching(
          /^Rebuilt projection "cart-sizes": generation 2 is built and now served\./,
        ),
        '',
      ]);
    });

    it('reads the table in as many parallel Scan segments as --segments says', async () => {
      const run = await cli(rebuildArgs('--segments', '3', '--json'));

      expect(run.exitCode).toBe(0);
      const reports = reportsIn(run.stdout);
      expect(reports.map(({ segments }) => segments)).toEqual(reports.map(() => 3));
      expect(reports.at(-1)).toMatchObject({ segmentsDone: 3, eventsApplied: SEEDED_EVENTS });
    });

    describe('on a terminal', () => {
      /** What was drawn over the status line, frame by frame, each narrower than the terminal. */
      function framesIn(statusLine: string, columns: number): string[] {
        return statusLine
          .split('\r')
          .slice(1)
          .map((frame) => {
            expect(frame.endsWith(CLEAR_TO_END_OF_LINE)).toBe(true);
            const text = frame.slice(0, -CLEAR_TO_END_OF_LINE.length);
            expect(text.length).toBeLessThan(columns);
            return text;
          });
      }

      it('redraws one status line in place, with a bar, and ends it before the summary', async () => {
        const run = await cli(rebuildArgs(), { terminalColumns: 120 });

        expect(run.exitCode).toBe(0);
        const [start, statusLine, summary, end] = run.stdout.split('\n');
        expect(start).toMatch(/^Rebuilding projection "cart-sizes"/);
        const frames = framesIn(statusLine!, 120);
        expect(frames.length).toBeGreaterThan(1);
        for (const frame of frames.slice(0, -1))
          expect(frame).toMatch(
            /^cart-sizes gen 2 (\[[█░]{30}\] \d+% ·|·) \d+ streams? · \d+ events? applied · [\d,]+\/s/,
          );
        expect(frames.at(-1)).toMatch(
          new RegExp(
            `^cart-sizes gen 2 \\[█{30}\\] 100% · ${CARTS} streams · ${SEEDED_EVENTS} events applied · ` +
              '[\\d,]+/s$',
          ),
        );
        expect(summary).toMatch(
          /^Rebuilt projection "cart-sizes": generation 2 is built and now served\./,
        );
        expect(end).toBe('');
      });

      it('fits the status line to a narrow terminal: the bar gives way first, then the end of the line', async () => {
        const run = await cli(rebuildArgs(), { terminalColumns: 50 });

        expect(run.exitCode).toBe(0);
        const frames = framesIn(run.stdout.split('\n')[1]!, 50);
        expect(frames.at(-1)).toBe(
          `cart-sizes gen 2 · 100% · ${CARTS} streams · ${SEEDED_EVENTS} events applied · `.slice(
            0,
            49,
          ),
        );
      });
    });

    it('with --catch-up, brings the served generation up to date from its positions: only the new events', async () => {
      await cli(rebuildArgs('--json'));
      const newCarts = await seedCarts(2);

      const run = await cli(rebuildArgs('--catch-up', '--json'));

      expect(run.exitCode).toBe(0);
      expect(reportsIn(run.stdout).at(-1)).toMatchObject({
        mode: 'catch-up',
        generation: 2,
        streamsDone: CARTS + 2,
        eventsApplied: 2 * QUANTITIES.length,
        status: 'done',
      });
      expect(run.stderr.split('\n')).toEqual([
        'Catching up projection "cart-sizes", generation 2 (served), from its positions.',
        expect.stringMatching(
          /^Caught up projection "cart-sizes": generation 2, the one served, is up to date\. 6 events applied, 8 streams, in /,
        ),
        '',
      ]);
      expect(await servedByTheApplication([...carts, ...newCarts])).toEqual(
        rebuiltView(2, [...carts, ...newCarts]),
      );
    });

    describe('Ctrl-C', () => {
      it('stops the rebuild, says it resumes, exits 130; the same command resumes it from its checkpoints', async () => {
        const stopped = await cli(rebuildArgs('--segments', '1', '--json'), {
          interruptOnFirstReport: true,
        });

        expect(stopped.exitCode).toBe(130);
        const last = reportsIn(stopped.stdout).at(-1)!;
        expect(last).toMatchObject({
          status: 'stopped',
          generation: 2,
          segments: 1,
          segmentsDone: 0,
        });
        expect(last.eventsApplied).toBeLessThan(SEEDED_EVENTS);
        expect(stopped.stderr.split('\n').at(-2)).toBe(
          'Stopped the rebuild of projection "cart-sizes" (generation 2) with 0 of 1 segment done. Run the same ' +
            'command again to resume it from its checkpoints.',
        );
        expect((await servedByTheApplication(carts)).state).toMatchObject({
          activeGeneration: 1,
          rebuild: { mode: 'rebuild', generation: 2, segments: 1 },
        });

        const resumed = await cli(rebuildArgs('--segments', '4', '--json'));

        expect(resumed.exitCode).toBe(0);
        expect(resumed.stderr.split('\n')[0]).toMatch(
          /^Resuming the rebuild of projection "cart-sizes" into generation 2, started at \S+, from its checkpoints\. It keeps its 1 segment: --segments applies to a new rebuild only\.$/,
        );
        const done = reportsIn(resumed.stdout).at(-1)!;
        expect(done).toMatchObject({ status: 'done', generation: 2, segments: 1, segmentsDone: 1 });
        expect(last.eventsApplied + done.eventsApplied).toBe(SEEDED_EVENTS);
        expect(await servedByTheApplication(carts)).toEqual(rebuiltView(2, carts));
      });

      it('leaves a stopped rebuild to be resumed before a catch-up: exit code 1, saying how', async () => {
        await cli(rebuildArgs('--segments', '1', '--json'), { interruptOnFirstReport: true });

        const run = await cli(rebuildArgs('--catch-up'));

        expect(run.exitCode).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(
          /^nestjs-dynamo-es: A rebuild of projection "cart-sizes" \(generation 2\) started at \S+ is not finished: resume it first, with this command without --catch-up\.\n$/,
        );
      });

      it('of the installed command (SIGINT to its process) stops it the same way; once resumed, it exits by itself', async () => {
        await seedCarts(30); // enough streams for the signal to arrive before the end
        const run = (signalOnFirstReport: boolean) =>
          nodeCli(rebuildArgs('--segments', '1'), signalOnFirstReport);

        const stopped = await run(true);

        expect(stopped.exitCode).toBe(130);
        expect(stopped.stdout).toMatch(
          /\nStopped the rebuild of projection "cart-sizes" \(generation 2\) with 0 of 1 segment done\. Run the same command again to resume it from its checkpoints\.\n$/,
        );

        const resumed = await run(false);

        expect(resumed.exitCode).toBe(0);
        expect(resumed.stdout).toMatch(
          /^Resuming the rebuild of projection "cart-sizes" into generation 2/,
        );
        expect(resumed.stdout).toMatch(
          /\nRebuilt projection "cart-sizes": generation 2 is built and now served\./,
        );
        expect(await servedByTheApplication(carts)).toMatchObject({
          state: { activeGeneration: 2 },
          items: carts.map(() => ITEMS_PER_CART),
        });
      }, 120_000);
    });

    it('names the projections the application has when it has none of that name; exit code 2', async () => {
      const run = await cli(['rebuild', 'carts', '--module', FIXTURE]);

      expect(run).toEqual({
        exitCode: 2,
        stdout: '',
        stderr:
          'nestjs-dynamo-es: No projection is named "carts"; the application has "cart-sizes".\n' +
          'See "nestjs-dynamo-es rebuild --help".\n',
      });
    });

    it('stops at the start when a table is missing, naming it and the command that creates it; exit code 1', async () => {
      const missing = `views-cli-missing-${randomUUID()}`;
      process.env.VIEWS_TABLE = missing;

      const run = await cli(rebuildArgs());

      expect(run).toEqual({
        exitCode: 1,
        stdout: '',
        stderr:
          `nestjs-dynamo-es: Could not start AppModule: The views table "${missing}" at ` +
          `${process.env.DYNAMODB_ENDPOINT} does not exist. Create it with \`npx nestjs-dynamo-es create-tables ` +
          `--table ${tables.events} --views-table ${missing} --endpoint ${process.env.DYNAMODB_ENDPOINT}\` ` +
          '(or createViewTable()), or correct `viewsTable` of DynamoProjectionsModule.forRoot().\n',
      });
    });

    it('reports a failure in one line, with how to resume; exit code 1', async () => {
      const missing = `views-cli-missing-${randomUUID()}`;
      process.env.VIEWS_TABLE = missing;
      // A table that goes missing once the application has started: the startup check would stop it before.
      process.env.CHECK_TABLES_ON_STARTUP = 'false';

      const run = await cli(rebuildArgs()).finally(
        () => delete process.env.CHECK_TABLES_ON_STARTUP,
      );

      expect(run.exitCode).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        new RegExp(
          `^nestjs-dynamo-es: The rebuild of projection "cart-sizes" failed: .*"${missing}".* Run the same ` +
            'command again to resume it from its checkpoints\\.\\n$',
        ),
      );
    });

    it('takes the root module named after # in --module', async () => {
      const run = await cli([
        'rebuild',
        'cart-sizes',
        '--module',
        `${FIXTURE}#AppModule`,
        '--json',
      ]);

      expect(run.exitCode).toBe(0);
      expect(reportsIn(run.stdout).at(-1)?.status).toBe('done');
    });

    it('refuses a module without projections; exit code 1', async () => {
      const run = await cli([
        'rebuild',
        'cart-sizes',
        '--module',
        `${FIXTURE}#EventStoreOnlyModule`,
      ]);

      expect(run).toEqual({
        exitCode: 1,
        stdout: '',
        stderr:
          `nestjs-dynamo-es: EventStoreOnlyModule of ${FIXTURE} has no projections: it needs ` +
          'DynamoProjectionsModule.forRoot() or forRootAsync() among its imports, and this command must be the ' +
          'one installed with the application (npx nestjs-dynamo-es in its directory), so that both use one copy ' +
          'of nestjs-dynamo-es.\n',
      });
    });
  });

  describe('a --module that cannot be used', () => {
    it('reports a module that fails to load in one line; exit code 1', async () => {
      const broken = join(tmpdir(), `broken-module-${randomUUID()}.mjs`);
      await writeFile(broken, "throw new Error('no configuration');\n");

      const run = await cli(['rebuild', 'cart-sizes', '--module', broken]);

      expect(run).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: `nestjs-dynamo-es: Could not load ${broken}: no configuration\n`,
      });
    });

    it('reports a module that fails to start in one line, without ending the process; exit code 1', async () => {
      const run = await cli(['rebuild', 'cart-sizes', '--module', `${FIXTURE}#UnstartableModule`]);

      expect(run.exitCode).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^nestjs-dynamo-es: Could not start UnstartableModule: Nest can't resolve dependencies of the greeting \(\?\)\.[^\n]*\n$/,
      );
    });

    it('lists the classes a module exports when the one named is not among them; exit code 2', async () => {
      const run = await cli(['rebuild', 'cart-sizes', '--module', `${FIXTURE}#ShopModule`]);

      expect(run).toEqual({
        exitCode: 2,
        stdout: '',
        stderr:
          `nestjs-dynamo-es: ${FIXTURE} exports no class named ShopModule; its classes are AppModule, Cart, ` +
          `CartSizes, EventStoreOnlyModule, ItemAdded, UnstartableModule: name the root module with --module ${FIXTURE}#<name>.\n` +
          'See "nestjs-dynamo-es rebuild --help".\n',
      });
    });

    it.each([
      ['no/such/app.module.js', `No file at ${join(process.cwd(), 'no/such/app.module.js')}`],
      [
        'src/app.module.ts',
        '--module takes the compiled JavaScript file, such as dist/app.module.js',
      ],
    ])('refuses %s; exit code 2', async (module, message) => {
      const run = await cli(['rebuild', 'cart-sizes', '--module', module]);

      expect(run.exitCode).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`nestjs-dynamo-es: ${message}`);
      expect(run.stderr).toMatch(/See "nestjs-dynamo-es rebuild --help"\.\n$/);
    });
  });

  describe('usage errors: nothing is attempted, exit code 2', () => {
    it.each([
      [
        ['--module', FIXTURE],
        'Missing the projection: nestjs-dynamo-es rebuild <projection> --module <file>.',
      ],
      [['cart-sizes'], "Missing --module: the application's compiled root module"],
      [['cart-sizes', 'carts', '--module', FIXTURE], 'Unexpected argument "carts".'],
      [['cart-sizes', '--module'], 'Option --module needs a value.'],
      [
        ['cart-sizes', '--module', FIXTURE, '--segment', '2'],
        'Unknown option "--segment" for rebuild.',
      ],
      [['cart-sizes', '--module', FIXTURE, '--json=yes'], 'Option --json takes no value.'],
      [
        ['cart-sizes', '--module', FIXTURE, '--segments', '0'],
        'Invalid --segments "0": expected a whole number',
      ],
      [['cart-sizes', '--module', FIXTURE, '--segments', '2.5'], 'Invalid --segments "2.5"'],
      [['cart-sizes', '--module', FIXTURE, '--segments', '1000001'], 'from 1 to 1000000.'],
    ])('rebuild %j', async (args, message) => {
      const run = await cli(['rebuild', ...args]);

      expect(run.exitCode).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(message);
      expect(run.stderr).toMatch(
        /^nestjs-dynamo-es: .*\nSee "nestjs-dynamo-es rebuild --help"\.\n$/,
      );
    });
  });

  describe('--help', () => {
    it('shows the command, every option, examples and exit codes, in lines of 100 characters at most', async () => {
      const run = await cli(['rebuild', '--help']);

      expect(run.exitCode).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(
        /^Usage: nestjs-dynamo-es rebuild <projection> --module <file>\[#<export>\] \[--segments <n>\]\n {7}\[--catch-up\] \[--json\]\n/,
      );
      for (const option of [
        '--module <file>[#<export>]',
        '--segments <n>',
        '--catch-up',
        '--json',
        '-h, --help',
      ])
        expect(run.stdout).toContain(`\n  ${option}`);
      expect(run.stdout).toContain('by\n                              default AppModule');
      expect(run.stdout).toContain(
        '\n  nestjs-dynamo-es rebuild account-directory --module dist/app.module.js\n',
      );
      expect(run.stdout).toContain('130 stopped by Ctrl-C');
      for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    });

    it('of the CLI lists the command', async () => {
      const run = await cli(['--help']);

      expect(run.stdout).toContain('\n  rebuild         Rebuild a projection');
    });
  });
});

/**
 * Runs the CLI's main.ts in a node process of its own, on the sources (see fixtures/package-sources-hooks.mjs),
 * with the test's environment; with `signalOnFirstReport`, sends it SIGINT once it prints a progress line.
 */
async function nodeCli(argv: string[], signalOnFirstReport: boolean): Promise<CliRun> {
  const hooks = ['../support/typescript-loader.js', './fixtures/package-sources-hooks.mjs'].map(
    (path) => new URL(path, import.meta.url).href,
  );
  const register = hooks.map((url) => `register(${JSON.stringify(url)});`).join(' ');
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,import { register } from 'node:module'; ${register}`,
      fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url)),
      ...argv,
    ],
    { env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    if (signalOnFirstReport && /^Rebuild of /m.test(stdout)) {
      signalOnFirstReport = false;
      child.kill('SIGINT');
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [exitCode] = (await once(child, 'exit')) as [number];
  return { exitCode, stdout, stderr };
}
