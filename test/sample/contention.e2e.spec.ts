import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  currentConflictRetry,
  UnitOfWork,
  type UnitOfWorkOptions,
  type UnitOfWorkSaves,
} from 'nestjs-dynamo-es';
import type { Response } from 'supertest';
import { ACCOUNT_COMMAND_RETRY } from '../../sample/accounts/commands/account-command-retry.js';
import { type IsolatedEndpoint, isolatedEndpoint } from '../support/dynamodb.js';
import { accountsInTable, halfAppliedTransfers } from './events-table-fold.js';
import { type SampleApp, startSampleApp } from './sample-app.js';

/**
 * Many commands on the same accounts at once, over HTTP, on a moto of its own (moto answers one request at a time:
 * this file would slow the others, and they it). No command gets a 409 or a 5xx: each loser of a race decides again
 * with the sample's retry settings (ACCOUNT_COMMAND_RETRY), until it passes or the account's rules refuse it.
 */

let endpoint: IsolatedEndpoint;
let client: DynamoDBClient;
let sample: SampleApp;
const savedEnv = { ...process.env };

/** Every decision the UnitOfWork ran: the command's class and the number of its attempt. */
let decisions: { command: string; attempt: number }[] = [];

class RecordingUnitOfWork extends UnitOfWork {
  override run<R>(
    options: UnitOfWorkOptions,
    decide: (saves: UnitOfWorkSaves) => Promise<R> | R,
  ): Promise<R> {
    decisions.push({
      command: (options.request as object).constructor.name,
      attempt: currentConflictRetry()?.attempt ?? 0,
    });
    return super.run(options, decide);
  }
}

beforeAll(async () => {
  endpoint = await isolatedEndpoint();
  process.env.DYNAMODB_ENDPOINT = endpoint.clientConfig.endpoint as string;
  client = new DynamoDBClient(endpoint.clientConfig);
  sample = await startSampleApp(client, (builder) =>
    builder.overrideProvider(UnitOfWork).useClass(RecordingUnitOfWork),
  );
}, 60_000);
beforeEach(() => {
  decisions = [];
});
afterAll(async () => {
  await sample?.app.close();
  client?.destroy();
  await endpoint?.stop();
  process.env = savedEnv;
});

const http = () => sample.http();

/** How many attempts the commands took: the most any took, the mean, and how many needed a retry. */
function attemptFigures(command: string, requests: number): string {
  const attempts = decisions.filter((d) => d.command === command).map((d) => d.attempt);
  const retried = attempts.filter((attempt) => attempt === 2).length;
  return (
    `${attempts.length} decisions for ${requests} ${command} requests (mean ` +
    `${(attempts.length / requests).toFixed(1)} attempts, most ${Math.max(...attempts)}; ${retried} retried)`
  );
}

const statuses = (responses: readonly Response[]) =>
  responses.reduce<Record<number, number>>(
    (count, { status }) => ({ ...count, [status]: (count[status] ?? 0) + 1 }),
    {},
  );

describe('the sample under contention (moto)', () => {
  it('serves 50 concurrent withdrawals of 10 cents from 200 cents: 20 succeed, 30 get 422, none 409 or 5xx', async () => {
    const id = await sample.openAccount('Ada', 200);
    decisions = [];

    const startedAt = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        http().post(`/accounts/${id}/withdrawals`).send({ amountCents: 10 }),
      ),
    );
    const tookMs = performance.now() - startedAt;

    expect(statuses(responses)).toEqual({ 200: 20, 422: 30 });
    const accepted = responses.filter((response) => response.status === 200);
    // Each success saw the balance it left: 190, 180, …, 0, at versions 3 to 22.
    expect(
      accepted.map(({ body }) => (body as { version: number }).version).sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    for (const { body } of accepted) {
      const { balanceCents, version } = body as { balanceCents: number; version: number };
      expect(balanceCents).toBe(200 - 10 * (version - 2));
    }
    for (const { body } of responses.filter((response) => response.status === 422)) {
      expect(body).toMatchObject({
        message: expect.stringMatching(/^Cannot withdraw 10 cents: the balance is \d+ cents?\.$/),
      });
    }
    await http()
      .get(`/accounts/${id}`)
      .expect(200, { id, owner: 'Ada', balanceCents: 0, version: 22 });
    const attempts = decisions.map((d) => d.attempt);
    // Among n commands on one account none loses more than n − 1 races (see ACCOUNT_COMMAND_RETRY).
    expect(Math.max(...attempts)).toBeLessThanOrEqual(21);
    expect(Math.max(...attempts)).toBeLessThan(ACCOUNT_COMMAND_RETRY.maxAttempts);

    console.log(
      `50 concurrent withdrawals of 10 cents from 200 cents, no If-Match: ${JSON.stringify(statuses(responses))}, ` +
        `final balance 0 at version 22; ${attemptFigures('WithdrawMoney', 50)}; ${Math.round(tookMs)} ms in all ` +
        `(retry: maxAttempts ${ACCOUNT_COMMAND_RETRY.maxAttempts}, baseDelayMs ${ACCOUNT_COMMAND_RETRY.baseDelayMs}, ` +
        `maxDelayMs ${ACCOUNT_COMMAND_RETRY.maxDelayMs})`,
    );
  });

  it('keeps every transfer whole while transfers and withdrawals race on both accounts', async () => {
    const [aId, bId] = [
      await sample.openAccount('Ada', 2_000),
      await sample.openAccount('Bob', 2_000),
    ];
    decisions = [];
    // 10 transfers A→B of 100 and 10 withdrawals of 150 from each, all at once; A is asked for more than it holds.
    // Every other command carries an Idempotency-Key, whose write is a transaction too.
    const key = (i: number) => (i % 2 === 0 ? randomUUID() : undefined);
    const send = (path: string, body: object, idempotencyKey?: string) => {
      const call = http().post(path);
      if (idempotencyKey) void call.set('Idempotency-Key', idempotencyKey);
      return call.send(body);
    };
    const commands = [
      ...Array.from({ length: 10 }, (_, i) => ({
        kind: 'transfer',
        send: () => send('/transfers', { fromId: aId, toId: bId, amountCents: 100 }, key(i)),
      })),
      ...[aId, bId].flatMap((id) =>
        Array.from({ length: 10 }, (_, i) => ({
          kind: id === aId ? 'withdrawal from A' : 'withdrawal from B',
          send: () => send(`/accounts/${id}/withdrawals`, { amountCents: 150 }, key(i + 1)),
        })),
      ),
    ];

    const responses = await Promise.all(commands.map((command) => command.send()));

    const outcome = (kind: string) => responses.filter((_, i) => commands[i]!.kind === kind);
    for (const response of responses) expect([200, 422]).toContain(response.status);
    const ok = (kind: string) => outcome(kind).filter((response) => response.status === 200);
    const [transfers, fromA, fromB] = [
      ok('transfer'),
      ok('withdrawal from A'),
      ok('withdrawal from B'),
    ];
    const balances = {
      a: ((await http().get(`/accounts/${aId}`).expect(200)).body as { balanceCents: number })
        .balanceCents,
      b: ((await http().get(`/accounts/${bId}`).expect(200)).body as { balanceCents: number })
        .balanceCents,
    };
    // Transfers move money, withdrawals take it out: the sum is what the withdrawals left.
    expect(balances.a + balances.b).toBe(4_000 - 150 * (fromA.length + fromB.length));
    expect(balances.a).toBe(2_000 - 100 * transfers.length - 150 * fromA.length);
    expect(balances.b).toBe(2_000 + 100 * transfers.length - 150 * fromB.length);

    // In the table: every transfer on both streams or on neither, and exactly the ones answered 200.
    const inTable = await accountsInTable(client, sample.tableName);
    expect(halfAppliedTransfers(inTable)).toEqual([]);
    const [a, b] = [aId, bId].map((id) => inTable.find((account) => account.summary.id === id)!);
    const answeredIds = transfers
      .map(({ body }) => (body as { transferId: string }).transferId)
      .sort();
    expect(a!.transfers.map((t) => t.transferId).sort()).toEqual(answeredIds);
    expect(b!.transfers.map((t) => t.transferId).sort()).toEqual(answeredIds);
    expect([a!.withdrawals.length, b!.withdrawals.length]).toEqual([fromA.length, fromB.length]);
    expect([a!.summary.balanceCents, b!.summary.balanceCents]).toEqual([balances.a, balances.b]);

    console.log(
      `10 transfers A→B and 10 withdrawals from each at once: ${transfers.length} transfers, ` +
        `${fromA.length} + ${fromB.length} withdrawals applied, ${responses.length - transfers.length - fromA.length - fromB.length} refused (422), none 409 or 5xx; ` +
        `balances ${balances.a} + ${balances.b} = 4000 − 150 × ${fromA.length + fromB.length}; no half-applied transfer ` +
        `in the table; ${attemptFigures('TransferMoney', 10)}, ${attemptFigures('WithdrawMoney', 20)}`,
    );
  });
});
