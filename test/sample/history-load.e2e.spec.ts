import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AggregateRepository, getAggregateRepositoryToken } from 'nestjs-dynamo-es';
import { Account } from '../../sample/accounts/account.aggregate.js';
import {
  HISTORY_READERS_OPTIONS,
  HistoryReaders,
  type HistoryReadersOptions,
} from '../../sample/accounts/http/history-readers.js';
import { type IsolatedEndpoint, isolatedEndpoint } from '../support/dynamodb.js';
import { eventually } from '../support/eventually.js';
import { readHistory, type SampleApp, startSampleApp } from './sample-app.js';

/**
 * A hundred Server-Sent Events readers of a long history that read a little and then stop reading, while commands
 * go on, on a moto of its own (moto answers one request at a time, so this load would slow the other files). The
 * readers share the module's DynamoDB client with the commands; HistoryReaders bounds how many read from the store
 * at once, so that no command waits past the client's connection timeout for a socket.
 */

let endpoint: IsolatedEndpoint;
let client: DynamoDBClient;
let sample: SampleApp;
let url: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  endpoint = await isolatedEndpoint();
  process.env.DYNAMODB_ENDPOINT = endpoint.clientConfig.endpoint as string;
  // moto answers one request at a time, so each of a command's requests waits behind up to this many history
  // pages of 301 events; 4 keeps that wait under the client's 3 s request timeout while the other test files load
  // the machine. (Against DynamoDB, which serves requests in parallel, the default of 8 is no such wait.)
  process.env.HISTORY_READERS_MAX = '4';
  client = new DynamoDBClient(endpoint.clientConfig);
  sample = await startSampleApp(client);
  await sample.app.listen(0, '127.0.0.1');
  const { port } = (sample.app.getHttpServer() as http.Server).address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
}, 60_000);
afterAll(async () => {
  await sample?.app.close();
  client?.destroy();
  await endpoint?.stop();
  process.env = savedEnv;
});

const READERS = 100;
const DEPOSIT_LANES = 3;
const DEPOSITS_PER_LANE = 10;

/** Opens the account and deposits 1 cent `deposits` times, 25 events to a save: `deposits + 1` events in all. */
async function accountWithHistory(deposits: number): Promise<string> {
  const id = await sample.openAccount('Ada');
  const accounts = sample.app.get<AggregateRepository<Account>>(
    getAggregateRepositoryToken(Account),
  );
  for (let done = 0; done < deposits;) {
    const account = await accounts.load(id);
    for (const end = Math.min(deposits, done + 25); done < end; done++) account.deposit(1);
    await accounts.save(account);
  }
  return id;
}

/** A reader that takes the first chunk of its answer, then stops reading until `resume()`. */
interface SlowReader {
  readonly answered: Promise<{ status: number; retryAfter?: string; body?: string }>;
  /** Reads the rest of a 200 answer; resolves with the number of events it held. */
  resume(): Promise<number>;
  close(): void;
}

function slowReader(accountId: string): SlowReader {
  // An agent of its own: one socket per reader, as a hundred browsers would have.
  const request = http.get(`${url}/accounts/${accountId}/history`, { agent: false });
  let text = '';
  let response: http.IncomingMessage | undefined;
  const answered = new Promise<{ status: number; retryAfter?: string; body?: string }>(
    (resolve, reject) => {
      request.on('error', reject);
      request.on('response', (res) => {
        response = res;
        res.setEncoding('utf8');
        if (res.statusCode !== 200) {
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              retryAfter: res.headers['retry-after'],
              body: text,
            }),
          );
          return;
        }
        res.once('data', (chunk: string) => {
          text += chunk;
          res.pause();
          resolve({ status: 200 });
        });
      });
    },
  );
  return {
    answered,
    resume: () =>
      new Promise((resolve) => {
        response!.on('data', (chunk: string) => (text += chunk));
        response!.on('end', () =>
          resolve(text.split('\n\n').filter((b) => b.includes('data:')).length),
        );
        response!.resume();
      }),
    close: () => request.destroy(),
  };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe('history streaming under load (moto)', () => {
  it('serves 30 deposits with 200 while 100 slow readers stream a 301-event history', async () => {
    const historyId = await accountWithHistory(300);
    const laneIds = await Promise.all(
      Array.from({ length: DEPOSIT_LANES }, () => sample.openAccount('Grace')),
    );
    const limiter = sample.app.get(HistoryReaders);
    const options = sample.app.get<HistoryReadersOptions>(HISTORY_READERS_OPTIONS);
    let mostInUse = 0;
    const watch = setInterval(() => (mostInUse = Math.max(mostInUse, limiter.inUse)), 5);

    const readers = Array.from({ length: READERS }, () => slowReader(historyId));
    const commands: { status: number; ms: number }[] = [];
    await Promise.all(
      laneIds.map(async (id) => {
        for (let i = 0; i < DEPOSITS_PER_LANE; i++) {
          const started = performance.now();
          const { status } = await fetch(`${url}/accounts/${id}/deposits`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ amountCents: 100 }),
          });
          commands.push({ status, ms: performance.now() - started });
        }
      }),
    );
    const answers = await Promise.all(readers.map((reader) => reader.answered));
    clearInterval(watch);

    const served = readers.filter((_, i) => answers[i]!.status === 200);
    const refused = answers.filter((answer) => answer.status !== 200);
    const latencies = commands.map((command) => command.ms);
    console.log(
      `${commands.length} deposits beside ${READERS} slow history readers (at most ${options.max} reading, ` +
        `wait ${options.maxWaitMs} ms): median ${median(latencies).toFixed(0)} ms, ` +
        `max ${Math.max(...latencies).toFixed(0)} ms; readers served ${served.length}, refused ` +
        `${refused.length}; most slots in use ${mostInUse}`,
    );

    expect(commands.map((command) => command.status)).toEqual(
      Array(DEPOSIT_LANES * DEPOSITS_PER_LANE).fill(200),
    );
    expect(mostInUse).toBeLessThanOrEqual(options.max);
    // The documented answer to a reader that found no slot in time.
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(answer.body!)).toMatchObject({ statusCode: 503 });
    }
    expect(served.length).toBeGreaterThan(0);
    expect(await Promise.all(served.map((reader) => reader.resume()))).toEqual(
      Array(served.length).fill(301),
    );

    readers.forEach((reader) => reader.close());
    await eventually(
      () => Promise.resolve({ inUse: limiter.inUse, queued: limiter.queued }),
      ({ inUse, queued }) => inUse === 0 && queued === 0,
    );
    expect(await readHistory(sample, historyId)).toHaveLength(301);
  }, 120_000);
});
