import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createDynamoDBClient, dynamoDBClientConfig } from '../dynamodb/client.js';
import { createEventStoreTable, createTableUnlessExists } from '../dynamodb/table.js';
// Neither of these imports @aws-sdk/lib-dynamodb or @aws-sdk/client-dynamodb-streams at run time, unlike the
// projections' index (createViewTable's file needs the DocumentClient): the testing entry loads without those peers.
import { createLeaseTable } from '../projections/streams/create-lease-table.js';
import { VIEW_TABLE } from '../projections/views/view-table-layout.js';
import { LocalDynamoDBStartError, LocalDynamoDBUnavailableError } from './local-dynamodb-errors.js';
import { MOTO_SERVER_SCRIPT } from './moto-server-script.js';

export interface StartLocalDynamoDBOptions {
  /** The port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** The address to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** A Python 3 interpreter that has moto's server (`pip install "moto[server]"`). Default: $PYTHON, else python3. */
  readonly python?: string;
  /** How long moto may take to start, in milliseconds. Default 30000 (it usually takes about 1.5 s). */
  readonly startTimeoutMs?: number;
  /** Extra environment for moto, e.g. `{ INITIAL_NO_AUTH_ACTION_COUNT: '0' }` to make it check credentials. */
  readonly env?: Readonly<Record<string, string>>;
  /** Event tables to create once it is up, with the event store's key schema. Default: none. */
  readonly tables?: readonly string[];
  /** Views tables of projections to create, as createViewTable does (partition key `__key`). Default: none. */
  readonly viewTables?: readonly string[];
  /** Lease tables of the stream runner to create, as createLeaseTable does (partition key `leaseKey`). Default: none. */
  readonly leaseTables?: readonly string[];
  /**
   * The region the tables are created in. moto keeps tables per region, so clients must use the same one. Default:
   * $AWS_REGION, else us-east-1, as `dynamoDBClientConfig` picks for an endpoint.
   */
  readonly region?: string;
}

/** A running local DynamoDB. Its data lives as long as it does. */
export interface LocalDynamoDB {
  /** Where to send requests, e.g. `http://127.0.0.1:40123`: give it to `dynamoDBClientConfig({ endpoint })`. */
  readonly endpoint: string;
  /** Stops moto and resolves once it has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/** What the CLI also needs: to notice moto going away by itself. */
export interface RunningLocalDynamoDB extends LocalDynamoDB {
  /** Resolves when moto has exited, stopped or not. */
  readonly exited: Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_START_TIMEOUT_MS = 30_000;
/** How long moto gets to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;
/** Enough of moto's stderr to say why it failed. */
const STDERR_TAIL = 8_192;

/**
 * Starts moto's DynamoDB as a child process, serving one request at a time so that concurrent conditional writes
 * race as they do on DynamoDB, and creates the tables asked for. For an application's local runs and for tests: each
 * call is an independent, empty DynamoDB. The child exits with `stop()`, and also when this process ends, however it
 * ends.
 *
 * @throws LocalDynamoDBUnavailableError when Python or moto is missing; the message says how to get them.
 * @throws LocalDynamoDBStartError when moto could not start, e.g. its port is in use.
 */
export async function startLocalDynamoDB(
  options: StartLocalDynamoDBOptions = {},
): Promise<LocalDynamoDB> {
  return launchLocalDynamoDB(options);
}

/** `startLocalDynamoDB`, with moto's exit to watch. */
export async function launchLocalDynamoDB(
  options: StartLocalDynamoDBOptions = {},
): Promise<RunningLocalDynamoDB> {
  const local = await startMoto(options);
  try {
    await createTables(local.endpoint, options);
  } catch (error) {
    await local.stop();
    throw error;
  }
  return local;
}

function startMoto(options: StartLocalDynamoDBOptions): Promise<RunningLocalDynamoDB> {
  const python = options.python ?? process.env.PYTHON ?? 'python3';
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? 0;
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`Invalid port ${port}: expected an integer from 0 to 65535.`);

  const child = spawn(python, ['-c', MOTO_SERVER_SCRIPT, '--host', host, '--port', String(port)], {
    stdio: 'pipe',
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  // 'close', not 'exit': it also comes after a failed spawn, and after the last of stderr.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = () => stopChild(child, exited);

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(error));
    };
    const timer = setTimeout(
      () =>
        fail(
          new LocalDynamoDBStartError(
            'timeout',
            host,
            port,
            `no answer within ${startTimeoutMs} ms`,
          ),
        ),
      startTimeoutMs,
    );
    // 'on', not 'once': a later error (a failed kill) must not become an uncaught one.
    child.on('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT' || error.code === 'EACCES'
          ? new LocalDynamoDBUnavailableError('python-missing', python, error.code, {
              cause: error,
            })
          : new LocalDynamoDBStartError('exited', host, port, `${python}: ${error.message}`),
      ),
    );
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) =>
      fail(whyItExited(stderr, code ?? signal, { python, host, port })),
    );

    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const listening = /listening on (\d+)/.exec(stdout)?.[1];
      if (listening === undefined || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data').resume();
      resolve({ endpoint: `http://${connectableHost(host)}:${listening}`, stop, exited });
    });
  });
}

function whyItExited(
  stderr: string,
  codeOrSignal: number | string | null,
  { python, host, port }: { python: string; host: string; port: number },
): Error {
  // ImportError too: a moto too old to have the WSGI app is as good as none.
  const missing = /^(?:ModuleNotFoundError|ImportError): (.+)$/m.exec(stderr)?.[1];
  if (missing !== undefined)
    return new LocalDynamoDBUnavailableError('moto-missing', python, missing.trim());
  if (/Address already in use|in use by another program/.test(stderr))
    return new LocalDynamoDBStartError('port-in-use', host, port, lastLine(stderr));
  return new LocalDynamoDBStartError(
    'exited',
    host,
    port,
    `it exited (${codeOrSignal}) before listening: ${lastLine(stderr) || 'no output'}`,
  );
}

async function stopChild(child: ChildProcessWithoutNullStreams, exited: Promise<void>) {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
    child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(killer);
}

async function createTables(
  endpoint: string,
  { tables = [], viewTables = [], leaseTables = [], region }: StartLocalDynamoDBOptions,
) {
  if (tables.length + viewTables.length + leaseTables.length === 0) return;
  const client = createDynamoDBClient({ clientConfig: dynamoDBClientConfig({ endpoint, region }) });
  try {
    for (const table of tables) await createEventStoreTable(client, table);
    for (const table of viewTables) await createTableUnlessExists(client, table, VIEW_TABLE);
    for (const table of leaseTables) await createLeaseTable(client, table);
  } finally {
    client.destroy();
  }
}

/** A wildcard address is where moto listens, not where to connect. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}
