import { randomUUID } from 'node:crypto';
import { type INestApplication, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import { createLeaseTable, createViewTable } from 'nestjs-dynamo-es/projections';
import request from 'supertest';
import { AppModule } from '../../sample/app.module.js';
import { type Fault, FaultProxy } from '../fault-proxy/fault-proxy.js';
import { createTestTable, testClient } from '../support/dynamodb.js';

/**
 * The sample's answers when DynamoDB fails: its client goes through a fault proxy. A body tells the client what it
 * can do and nothing of the inside (no endpoint, socket error, stream key or DynamoDB message); the detail goes to
 * the server's log.
 */

let app: INestApplication;
let proxy: FaultProxy;
/** Kept apart: a stopped proxy has no address. */
let proxyPort: string;
const savedEnv = { ...process.env };
const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

beforeAll(async () => {
  const client = testClient();
  const tables = {
    EVENTS_TABLE: await createTestTable(client),
    VIEWS_TABLE: `views-test-${randomUUID()}`,
    LEASE_TABLE: `leases-test-${randomUUID()}`,
  };
  await createViewTable(client, tables.VIEWS_TABLE);
  await createLeaseTable(client, tables.LEASE_TABLE);
  client.destroy();
  proxy = await FaultProxy.start(process.env.DYNAMODB_ENDPOINT!);
  proxyPort = new URL(proxy.endpoint).port;
  // No projections runner: its stream reads would meet the faults meant for the commands.
  Object.assign(process.env, tables, {
    DYNAMODB_ENDPOINT: proxy.endpoint,
    PROJECTIONS_RUNNER: 'false',
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  app = moduleRef.createNestApplication({ rawBody: true });
  await app.init();
});
afterEach(() => {
  proxy.clear();
  logged.mockClear();
});
afterAll(async () => {
  await app.close();
  await proxy.stop();
  process.env = savedEnv;
  logged.mockRestore();
});

const http = () => request(app.getHttpServer());

async function openAccount(): Promise<string> {
  const { body } = await http().post('/accounts').send({ owner: 'Ada' }).expect(201);
  return (body as { id: string }).id;
}

/** What a body must not hold: the endpoint, the socket's or DynamoDB's words, the stream key. */
function expectNothingInternal(body: unknown): void {
  const text = JSON.stringify(body);
  for (const internal of [
    proxyPort,
    '127.0.0.1',
    'localhost',
    'socket',
    'hang up',
    'ECONN',
    'Account#',
    'stream',
    'DynamoDB',
    'PutItem',
    'InternalServerError',
    'Throughput',
  ])
    expect(text).not.toContain(internal);
}

/** Everything logged as an error, errors by name, message and stack. */
const loggedText = () =>
  logged.mock.calls
    .flat()
    .map((arg) =>
      typeof arg === 'object' && arg !== null && 'message' in arg
        ? `${String((arg as Error).message)} ${String((arg as Error).stack)}`
        : String(arg),
    )
    .join('\n');

/** The 503 of a write that may have landed, to a request without an Idempotency-Key. */
const UNCONFIRMED =
  'Storage did not confirm the change: it may or may not have been made. Reload the account to see whether it ' +
  'was. A request sent with an Idempotency-Key header can be retried with the same key: it is then made at most ' +
  'once.';
const NOT_WRITTEN = 'Storage is unavailable: nothing was written. Retry the request later.';

describe('the sample when DynamoDB fails', () => {
  it.each<[string, Fault, string]>([
    // The client cannot tell a connection lost before the request from one lost after it.
    ['a lost connection', { kind: 'drop-before' }, UNCONFIRMED],
    ['a DynamoDB server error', { kind: 'status-500' }, UNCONFIRMED],
    ['throttling', { kind: 'throttle' }, NOT_WRITTEN],
  ])(
    'answers a deposit whose every write meets %s with 503, a generic body and Retry-After',
    async (_, fault, message) => {
      const id = await openAccount();
      proxy.inject({ operation: 'PutItem', fault, times: Infinity });

      const response = await http()
        .post(`/accounts/${id}/deposits`)
        .send({ amountCents: 500 })
        .expect(503);

      expect(response.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message });
      expect(response.headers['retry-after']).toBe('1');
      expectNothingInternal(response.body);
      // The detail is the server's to log.
      expect(loggedText()).toContain(`Account#${id}`);
    },
  );

  it('answers a deposit whose answer is lost with 503 saying to resend it with its key, and applies the resend once', async () => {
    const id = await openAccount();
    const key = randomUUID();
    // A keyed deposit is one TransactWriteItems; it lands but every answer is lost. Two Queries pass (the key's
    // read and the account's load); every later one is lost too, so the store cannot read back what it wrote.
    proxy.inject({
      operation: 'TransactWriteItems',
      fault: { kind: 'drop-after' },
      times: Infinity,
    });
    proxy.inject({ operation: 'Query', fault: { kind: 'drop-before' }, after: 2, times: Infinity });

    const lost = await http()
      .post(`/accounts/${id}/deposits`)
      .set('Idempotency-Key', key)
      .send({ amountCents: 500 })
      .expect(503);

    expect(lost.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message:
        'Storage did not confirm the change: it may or may not have been made. Retry the same request with the ' +
        'same Idempotency-Key: it is then made at most once, and the answer tells its outcome.',
    });
    expect(lost.headers['retry-after']).toBe('1');
    expectNothingInternal(lost.body);

    proxy.clear();
    const resent = await http()
      .post(`/accounts/${id}/deposits`)
      .set('Idempotency-Key', key)
      .send({ amountCents: 500 })
      .expect(200);
    const again = await http()
      .post(`/accounts/${id}/deposits`)
      .set('Idempotency-Key', key)
      .send({ amountCents: 500 })
      .expect(200);

    // The first send had landed: the resend is answered from its key, and nothing is applied twice.
    expect(resent.body).toEqual({ id, owner: 'Ada', balanceCents: 500, version: 2 });
    expect(again.body).toEqual(resent.body);
    await http()
      .get(`/accounts/${id}`)
      .expect(200, { id, owner: 'Ada', balanceCents: 500, version: 2 });
  });

  it('answers a request while DynamoDB refuses connections with 500 and a generic body', async () => {
    const id = await openAccount();
    await proxy.stop();

    const response = await http().post(`/accounts/${id}/deposits`).send({ amountCents: 500 });

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ statusCode: 500, message: 'Internal server error' });
    expectNothingInternal(response.body);
    expect(loggedText()).toContain('ECONNREFUSED');
  });
});
