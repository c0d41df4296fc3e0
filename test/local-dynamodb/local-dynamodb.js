// Plain JavaScript so that jest's global setup and the sample's start script can load it without a compile step.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} LocalDynamoDb
 * @property {string} endpoint
 * @property {() => Promise<void>} stop
 */

/**
 * @typedef {object} StartLocalDynamoDbOptions
 * @property {string} [python] Python interpreter with moto installed. Default: $PYTHON or python3.
 * @property {number} [port] Port to listen on; 0 (the default) picks a free one.
 * @property {number} [startTimeoutMs]
 */

const SERVER_SCRIPT = fileURLToPath(new URL('./moto_server.py', import.meta.url));

export const HOW_TO_GET_AN_ENDPOINT =
  'Install moto (pip install "moto[server]"), or set DYNAMODB_ENDPOINT to a running DynamoDB endpoint ' +
  '(docker compose up -d starts DynamoDB Local on http://localhost:8000).';

/**
 * Starts moto's DynamoDB on 127.0.0.1, serving one request at a time (see moto_server.py).
 * @param {StartLocalDynamoDbOptions} [options]
 * @returns {Promise<LocalDynamoDb>}
 */
export function startLocalDynamoDb(options = {}) {
  const python = options.python ?? process.env.PYTHON ?? 'python3';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child = spawn(python, [SERVER_SCRIPT, '--port', String(options.port ?? 0)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));

  const exited = new Promise((resolve) => child.once('exit', () => resolve(undefined)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  return new Promise((resolve, reject) => {
    /** @param {string} reason */
    const fail = (reason) => {
      clearTimeout(timer);
      void stop();
      reject(
        new Error(
          `Could not start the local DynamoDB (moto): ${reason}\n${HOW_TO_GET_AN_ENDPOINT}`,
        ),
      );
    };
    const timer = setTimeout(() => fail(`no answer within ${startTimeoutMs} ms`), startTimeoutMs);
    /** @param {number | null} code */
    const exitedEarly = (code) => fail(`it exited with code ${code}\n${stderr.trim()}`);
    child.once('error', (error) => fail(`${python}: ${error.message}`));
    child.once('exit', exitedEarly);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const port = /listening on (\d+)/.exec(stdout)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      child.stdout.removeAllListeners('data').resume();
      resolve({ endpoint: `http://127.0.0.1:${port}`, stop });
    });
  });
}
