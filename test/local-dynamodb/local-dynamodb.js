// @ts-check
// Plain JavaScript so that jest's global setup loads it without a compile step; the Python server is inlined so that
// the sample, compiled elsewhere, finds it too.
import { spawn } from 'node:child_process';

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
 * @property {Record<string, string>} [env] Extra environment for moto, e.g. INITIAL_NO_AUTH_ACTION_COUNT=0 to
 *   make it check credentials.
 */

/**
 * moto's WSGI app served on 127.0.0.1, one request at a time. moto's stock threaded server runs requests
 * concurrently, and its DynamoDB backend is not safe under concurrency (two winners in a race of conditional writes,
 * lost acknowledged writes). Connections are still accepted on many threads, so an idle keep-alive connection never
 * blocks another client, but every request runs under one lock, which makes races behave as they do on DynamoDB:
 * exactly one conditional writer wins. Prints "listening on <port>" once bound (port 0 picks a free one).
 */
const SERVER_SCRIPT = String.raw`
import argparse
import os
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server


def serialised(app):
    lock = threading.Lock()

    def application(environ, start_response):
        with lock:
            # The body is consumed inside the lock: moto may build it lazily.
            return list(app(environ, start_response))

    return application


def exit_when_parent_goes():
    # The parent holds our stdin open; end of file means it is gone, even if it was killed without cleaning up.
    sys.stdin.read()
    os._exit(0)


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def main():
    parser = argparse.ArgumentParser(description="A local DynamoDB endpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    app = serialised(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietRequestHandler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(f"listening on {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
`;

export const HOW_TO_GET_AN_ENDPOINT =
  'Install moto (pip install "moto[server]"), or set DYNAMODB_ENDPOINT to a running DynamoDB endpoint ' +
  '(docker compose up -d starts DynamoDB Local on http://localhost:8000).';

/**
 * Starts moto's DynamoDB on 127.0.0.1, serving one request at a time (see SERVER_SCRIPT).
 * @param {StartLocalDynamoDbOptions} [options]
 * @returns {Promise<LocalDynamoDb>}
 */
export function startLocalDynamoDb(options = {}) {
  const python = options.python ?? process.env.PYTHON ?? 'python3';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child = spawn(python, ['-c', SERVER_SCRIPT, '--port', String(options.port ?? 0)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
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
