import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { createTestTable, testClient, testClientConfig } from '../support/dynamodb.js';
import { type Fault, FaultProxy } from './fault-proxy.js';
import { seededRandom } from '../support/seeded-random.js';

type Key = Record<string, AttributeValue>;

let direct: DynamoDBClient;
let tableName: string;
let proxy: FaultProxy;
const proxiedClients: DynamoDBClient[] = [];

beforeAll(async () => {
  direct = testClient();
  tableName = await createTestTable(direct);
});
afterAll(() => direct.destroy());
beforeEach(async () => {
  proxy = await FaultProxy.start(process.env.DYNAMODB_ENDPOINT!);
});
afterEach(async () => {
  for (const client of proxiedClients.splice(0)) client.destroy();
  await proxy.stop();
});

function throughProxy(config: DynamoDBClientConfig = {}): DynamoDBClient {
  const client = new DynamoDBClient({ ...testClientConfig(), endpoint: proxy.endpoint, ...config });
  proxiedClients.push(client);
  return client;
}
const withoutRetries = () => throughProxy({ maxAttempts: 1 });

const newKey = (): Key => ({ streamId: { S: `fault-proxy-${randomUUID()}` }, version: { N: '1' } });
const putItem = (key: Key, payload = 'stored') =>
  new PutItemCommand({ TableName: tableName, Item: { ...key, payload: { S: payload } } });
const getItem = (key: Key) =>
  new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true });
const transactPuts = (keys: Key[]) =>
  new TransactWriteItemsCommand({
    TransactItems: keys.map((key) => ({ Put: { TableName: tableName, Item: key } })),
  });

/** Read behind the proxy's back, from the endpoint itself. */
const storedAt = async (key: Key) => (await direct.send(getItem(key))).Item;

/** 'ok', or the name of the error the SDK threw. */
const outcomeOf = (sending: Promise<unknown>): Promise<string> =>
  sending.then(
    () => 'ok',
    (error: Error) => error.name,
  );

async function putOneAfterAnother(client: DynamoDBClient, count: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let index = 0; index < count; index += 1)
    outcomes.push(await outcomeOf(client.send(putItem(newKey()))));
  return outcomes;
}

interface Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends one raw request and collects the complete answer. */
function exchange(
  url: string,
  request: { headers: Record<string, string>; body: Buffer },
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method: 'POST', headers: request.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.once('end', () =>
        resolve({
          status: answer.statusCode!,
          headers: answer.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    sent.once('error', reject);
    sent.end(request.body);
  });
}

/** A stand-in for DynamoDB that remembers what reached it and answers with a fixed response. */
async function startRecordingEndpoint(answer: {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}) {
  const received: { method?: string; url?: string; headers: IncomingHttpHeaders; body: Buffer }[] =
    [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => {
      received.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('forwarding', () => {
  it('passes method, path, headers and body bytes on, and the answer back, as they are', async () => {
    const answerBody = Buffer.from('{"answer":"ä€😀"}');
    const endpoint = await startRecordingEndpoint({
      status: 418,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'request-1' },
      body: answerBody,
    });
    const recordingProxy = await FaultProxy.start(endpoint.url);
    const requestBody = Buffer.from([0x7b, 0x7d, 0x00, 0xff, 0xc3, 0xa4]);
    const headers = {
      host: 'dynamodb.eu-west-1.amazonaws.com',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/dynamodb/aws4_request, ...',
      'x-amz-target': 'DynamoDB_20120810.PutItem',
      'x-amz-date': '20260101T000000Z',
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(requestBody.length),
    };

    const answer = await exchange(`${recordingProxy.endpoint}/some/path?query=1`, {
      headers,
      body: requestBody,
    });
    await recordingProxy.stop();
    await endpoint.stop();

    expect(endpoint.received).toEqual([
      {
        method: 'POST',
        url: '/some/path?query=1',
        headers: expect.objectContaining(headers),
        body: requestBody,
      },
    ]);
    expect(answer.status).toBe(418);
    expect(answer.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': 'request-1',
      'content-length': String(answerBody.length),
    });
    expect(answer.body).toEqual(answerBody);
  });

  it('passes requests and answers through unchanged', async () => {
    const client = throughProxy();
    const key = newKey();

    await client.send(putItem(key, 'through the proxy'));
    const { Item } = await client.send(getItem(key));

    expect(Item).toEqual({ ...key, payload: { S: 'through the proxy' } });
    expect(proxy.requests).toBe(2);
    expect(proxy.injected).toEqual([]);
  });

  it('forwards a transaction of almost 4 MB byte for byte', async () => {
    const client = throughProxy({ maxAttempts: 1 });
    // Multi-byte characters, so that a chunk boundary inside one would show as a corrupted payload.
    const payload = (index: number) => `${index}:` + 'aä€😀'.repeat(38_000);
    const keys = Array.from({ length: 10 }, newKey);

    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: keys.map((key, index) => ({
          Put: { TableName: tableName, Item: { ...key, payload: { S: payload(index) } } },
        })),
      }),
    );

    for (const [index, key] of keys.entries())
      expect((await storedAt(key))?.payload).toEqual({ S: payload(index) });
  });
});

describe('each fault, as a client without retries sees it', () => {
  it('drop-before resets the connection, and nothing reaches DynamoDB', async () => {
    const key = newKey();
    proxy.inject({ operation: 'PutItem', fault: { kind: 'drop-before' } });

    await expect(withoutRetries().send(putItem(key))).rejects.toThrow(/socket hang up/);

    expect(await storedAt(key)).toBeUndefined();
  });

  it('drop-after resets the connection once DynamoDB has answered: the write happened', async () => {
    const key = newKey();
    proxy.inject({ operation: 'PutItem', fault: { kind: 'drop-after' } });

    await expect(withoutRetries().send(putItem(key))).rejects.toThrow(/socket hang up/);

    expect(await storedAt(key)).toEqual({ ...key, payload: { S: 'stored' } });
  });

  it('status-500 answers InternalServerError, a server fault', async () => {
    const key = newKey();
    proxy.inject({ operation: 'PutItem', fault: { kind: 'status-500' } });

    await expect(withoutRetries().send(putItem(key))).rejects.toMatchObject({
      name: 'InternalServerError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    expect(await storedAt(key)).toBeUndefined();
  });

  it('throttle answers ProvisionedThroughputExceededException', async () => {
    const key = newKey();
    proxy.inject({ operation: 'PutItem', fault: { kind: 'throttle' } });

    await expect(withoutRetries().send(putItem(key))).rejects.toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(await storedAt(key)).toBeUndefined();
  });

  it('transaction-conflict cancels the transaction with one TransactionConflict per item', async () => {
    const keys = [newKey(), newKey(), newKey()];
    proxy.inject({ operation: 'TransactWriteItems', fault: { kind: 'transaction-conflict' } });

    await expect(withoutRetries().send(transactPuts(keys))).rejects.toMatchObject({
      name: 'TransactionCanceledException',
      message: expect.stringContaining(
        '[TransactionConflict, TransactionConflict, TransactionConflict]',
      ),
      CancellationReasons: keys.map(() => ({
        Code: 'TransactionConflict',
        Message: 'Transaction is ongoing for the item',
      })),
    });
    for (const key of keys) expect(await storedAt(key)).toBeUndefined();
  });

  it('refuse answers the refusal named, as DynamoDB words it, and nothing reaches DynamoDB', async () => {
    const key = newKey();
    proxy.inject({
      operation: 'PutItem',
      fault: { kind: 'refuse', error: 'UnrecognizedClientException' },
    });
    proxy.inject({
      operation: 'PutItem',
      fault: { kind: 'refuse', error: 'AccessDeniedException' },
    });

    await expect(withoutRetries().send(putItem(key))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(withoutRetries().send(putItem(key))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(
        `not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/${tableName} `,
      ),
      $metadata: { httpStatusCode: 400 },
    });
    expect(await storedAt(key)).toBeUndefined();
  });

  it('delay trips the client timeout, and the request still reaches DynamoDB afterwards', async () => {
    const key = newKey();
    // requestTimeout alone only logs a warning; throwOnRequestTimeout makes it an error.
    const impatient = throughProxy({
      maxAttempts: 1,
      requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true },
    });
    proxy.inject({ operation: 'PutItem', fault: { kind: 'delay', ms: 500 } });

    await expect(impatient.send(putItem(key))).rejects.toMatchObject({
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });

    const deadline = Date.now() + 5_000;
    let stored = await storedAt(key);
    while (stored === undefined && Date.now() < deadline) stored = await storedAt(key);
    expect(stored).toEqual({ ...key, payload: { S: 'stored' } });
  });
});

describe('a client with the default retries', () => {
  const transientFaults: Fault[] = [
    { kind: 'drop-before' },
    { kind: 'drop-after' },
    { kind: 'status-500' },
    { kind: 'throttle' },
  ];

  it.each(transientFaults)('retries a PutItem after one $kind, and succeeds', async (fault) => {
    const key = newKey();
    proxy.inject({ operation: 'PutItem', fault });

    const { $metadata } = await throughProxy().send(putItem(key));

    expect($metadata.attempts).toBe(2);
    expect(proxy.requests).toBe(2);
    expect(await storedAt(key)).toEqual({ ...key, payload: { S: 'stored' } });
  });

  it('sends a TransactWriteItems again when its answer was lost', async () => {
    const keys = [newKey(), newKey()];
    proxy.inject({ operation: 'TransactWriteItems', fault: { kind: 'drop-after' } });

    const { $metadata } = await throughProxy().send(transactPuts(keys));

    expect($metadata.attempts).toBe(2);
    for (const key of keys) expect(await storedAt(key)).toEqual(key);
  });
});

describe('rules', () => {
  const status500: Fault = { kind: 'status-500' };

  it('fault `times` matching requests, then let requests through', async () => {
    proxy.inject({ operation: 'PutItem', fault: status500, times: 2 });

    expect(await putOneAfterAnother(withoutRetries(), 3)).toEqual([
      'InternalServerError',
      'InternalServerError',
      'ok',
    ]);
  });

  it('let `after` matching requests through before the fault applies', async () => {
    proxy.inject({ operation: 'PutItem', fault: status500, after: 2 });

    expect(await putOneAfterAnother(withoutRetries(), 4)).toEqual([
      'ok',
      'ok',
      'InternalServerError',
      'ok',
    ]);
  });

  it('count only requests of their operation', async () => {
    const client = withoutRetries();
    const key = newKey();
    proxy.inject({ operation: 'PutItem', fault: status500, after: 1 });

    const outcomes = [
      await outcomeOf(client.send(getItem(key))),
      await outcomeOf(client.send(putItem(key))),
      await outcomeOf(client.send(getItem(key))),
      await outcomeOf(client.send(putItem(key))),
    ];

    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'InternalServerError']);
  });

  it("match any operation with '*'", async () => {
    const client = withoutRetries();
    proxy.inject({ operation: '*', fault: status500, times: 2 });

    const outcomes = [
      await outcomeOf(client.send(getItem(newKey()))),
      await outcomeOf(client.send(transactPuts([newKey()]))),
    ];

    expect(outcomes).toEqual(['InternalServerError', 'InternalServerError']);
  });

  it('are consumed in the order added', async () => {
    proxy.inject({ operation: 'PutItem', fault: status500 });
    proxy.inject({ operation: 'PutItem', fault: { kind: 'throttle' } });

    expect(await putOneAfterAnother(withoutRetries(), 3)).toEqual([
      'InternalServerError',
      'ProvisionedThroughputExceededException',
      'ok',
    ]);
  });

  it('with times Infinity fault every matching request until cleared', async () => {
    const client = withoutRetries();
    proxy.inject({ operation: 'PutItem', fault: status500, times: Infinity });

    expect(await putOneAfterAnother(client, 3)).toEqual(Array(3).fill('InternalServerError'));
    proxy.clear();
    expect(await putOneAfterAnother(client, 1)).toEqual(['ok']);
  });

  it('leave a record of every fault applied: operation, kind and time', async () => {
    const client = withoutRetries();
    const before = Date.now();
    proxy.inject({ operation: 'PutItem', fault: status500 });
    proxy.inject({ operation: 'TransactWriteItems', fault: { kind: 'transaction-conflict' } });

    await outcomeOf(client.send(putItem(newKey())));
    await outcomeOf(client.send(getItem(newKey())));
    await outcomeOf(client.send(transactPuts([newKey()])));

    expect(proxy.injected).toEqual([
      { operation: 'PutItem', fault: 'status-500', at: expect.any(Number) },
      { operation: 'TransactWriteItems', fault: 'transaction-conflict', at: expect.any(Number) },
    ]);
    for (const { at } of proxy.injected) {
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(Date.now());
    }
    expect(proxy.requests).toBe(3);
  });
});

describe('injectRandomly', () => {
  const randomFaults = (seed: number, limit: number) => ({
    operations: ['PutItem'],
    probability: 0.5,
    faults: [{ kind: 'status-500' }, { kind: 'throttle' }] satisfies Fault[],
    limit,
    random: seededRandom(seed),
  });

  it('applies at most `limit` faults', async () => {
    proxy.injectRandomly(randomFaults(7, 3));

    const outcomes = await putOneAfterAnother(withoutRetries(), 30);

    expect(outcomes.filter((outcome) => outcome !== 'ok')).toHaveLength(3);
    expect(proxy.injected).toHaveLength(3);
  });

  it('faults the same requests with the same seed', async () => {
    const faultedWith = async (seed: number) => {
      proxy.clear();
      proxy.injectRandomly(randomFaults(seed, Infinity));
      return putOneAfterAnother(withoutRetries(), 12);
    };

    const first = await faultedWith(42);
    const replay = await faultedWith(42);

    expect(replay).toEqual(first);
    expect(first).toContain('ok');
    expect(first.some((outcome) => outcome !== 'ok')).toBe(true);
  });

  it('leaves the operations not listed alone', async () => {
    const client = withoutRetries();
    proxy.injectRandomly({ ...randomFaults(1, Infinity), probability: 1 });

    expect(await outcomeOf(client.send(getItem(newKey())))).toBe('ok');
    expect(await outcomeOf(client.send(putItem(newKey())))).not.toBe('ok');
  });

  it('comes after the explicit rules, and ends with clear()', async () => {
    const client = withoutRetries();
    proxy.injectRandomly({
      ...randomFaults(1, Infinity),
      probability: 1,
      faults: [{ kind: 'throttle' }],
    });
    proxy.inject({ operation: 'PutItem', fault: { kind: 'status-500' } });

    expect(await putOneAfterAnother(client, 2)).toEqual([
      'InternalServerError',
      'ProvisionedThroughputExceededException',
    ]);
    proxy.clear();
    expect(await putOneAfterAnother(client, 1)).toEqual(['ok']);
  });
});

describe('stop', () => {
  it('resolves while a client holds idle keep-alive connections, and closes them', async () => {
    const client = withoutRetries();
    // Concurrent requests open several connections, which the client keeps for reuse.
    await Promise.all(Array.from({ length: 4 }, () => client.send(getItem(newKey()))));

    await proxy.stop();

    // A pooled connection the client has not yet seen closed hangs up; a new one is refused.
    await expect(client.send(getItem(newKey()))).rejects.toThrow(/socket hang up|ECONNREFUSED/);
  });

  it('resolves while a delayed request is pending, which then never reaches DynamoDB', async () => {
    const key = newKey();
    proxy.inject({ operation: 'PutItem', fault: { kind: 'delay', ms: 60_000 } });
    const sending = outcomeOf(withoutRetries().send(putItem(key)));
    const deadline = Date.now() + 5_000;
    while (proxy.injected.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setImmediate(resolve));

    await proxy.stop();

    expect(await sending).not.toBe('ok');
    expect(await storedAt(key)).toBeUndefined();
  });
});
