import { EventStoreError } from '../core/errors.js';

/** Where else to find a DynamoDB, for every "unavailable" message. */
const OR_DYNAMODB_LOCAL =
  'or point DYNAMODB_ENDPOINT at DynamoDB Local instead ' +
  '(docker run -p 8000:8000 amazon/dynamodb-local starts it on http://localhost:8000)';

/**
 * The local DynamoDB cannot run on this machine: no Python (`python-missing`: the interpreter could not be started),
 * or a Python without moto's server (`moto-missing`). Nothing is left running. The message says how to get them.
 */
export class LocalDynamoDBUnavailableError extends EventStoreError {
  constructor(
    readonly reason: 'python-missing' | 'moto-missing',
    /** The interpreter that was tried: the `python` option, else $PYTHON, else python3. */
    readonly python: string,
    /** What went wrong: the spawn error's code, or the import Python could not do. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    // Into the Python that will run it: a missing one cannot, so the usual name stands in.
    const pip = `${reason === 'moto-missing' ? python : 'python3'} -m pip install --user 'moto[server]'`;
    const installMoto = `pip install "moto[server]" (${pip})`;
    super(
      reason === 'python-missing'
        ? `Cannot start the local DynamoDB: Python "${python}" could not be run (${detail}). Install Python 3 ` +
            `(or set PYTHON to one) and moto: ${installMoto}; ${OR_DYNAMODB_LOCAL}.`
        : `Cannot start the local DynamoDB: moto's server is not installed for "${python}" (${detail}). ` +
            `Install it: ${installMoto}; ${OR_DYNAMODB_LOCAL}.`,
      options,
    );
  }
}

/**
 * moto is installed but did not start: its port was taken (`port-in-use`), it exited (`exited`), or it did not
 * answer in time (`timeout`). Nothing is left running.
 */
export class LocalDynamoDBStartError extends EventStoreError {
  constructor(
    readonly reason: 'port-in-use' | 'exited' | 'timeout',
    readonly host: string,
    /** The port asked for; 0 when any free port would do. */
    readonly port: number,
    /** What moto printed, or how long it was given. */
    readonly detail: string,
  ) {
    super(
      reason === 'port-in-use'
        ? `Cannot start the local DynamoDB: port ${port} on ${host} is already in use. ` +
            'Stop what holds it, or choose another port (0 picks a free one).'
        : `Cannot start the local DynamoDB (moto) on ${host}:${port}: ${detail}`,
    );
  }
}
