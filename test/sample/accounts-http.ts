import type { AccountSummary } from '../../sample/accounts/read-model/account-directory.projection.js';
import type { SampleServer } from './sample-server.js';

/** The sample's HTTP API as the crash and restart tests drive it, with fetch: one server among several. */

export async function post(
  server: SampleServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function openAccount(server: SampleServer, owner: string): Promise<string> {
  const { status, body } = await post(server, '/accounts', { owner });
  expect(status).toBe(201);
  return body.id as string;
}

/** GET /accounts, sorted by id. */
export async function listed(server: SampleServer): Promise<AccountSummary[]> {
  const response = await fetch(`${server.url}/accounts`);
  expect(response.status).toBe(200);
  const accounts = (await response.json()) as AccountSummary[];
  return accounts.sort((a, b) => a.id.localeCompare(b.id));
}

export interface Deposit {
  readonly accountId: string;
  /** Its place among the account's deposits. */
  readonly index: number;
  readonly amountCents: number;
  /** Sent as the Idempotency-Key header, when set. */
  readonly idempotencyKey?: string;
  sentAt?: number;
  status?: number | 'no answer';
  ackedAt?: number;
}

/** POST /accounts/:id/deposits of the deposit, with its Idempotency-Key if it has one. */
export function sendDeposit(server: SampleServer, deposit: Deposit) {
  const { accountId, amountCents, idempotencyKey } = deposit;
  return post(
    server,
    `/accounts/${accountId}/deposits`,
    { amountCents },
    idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey },
  );
}

/** Deposit k of each account is 2^k cents. */
export function depositsOf(accountIds: readonly string[], perAccount: number): Deposit[] {
  return accountIds.flatMap((accountId) =>
    Array.from({ length: perAccount }, (_, index) => ({
      accountId,
      index,
      amountCents: 2 ** index,
    })),
  );
}

/** Sends the deposits one after another; stops at the first that gets no answer (the server is gone). */
export async function depositInTurn(
  deposits: readonly Deposit[],
  serverFor: (index: number) => SampleServer,
  onAnswer: () => void = () => undefined,
): Promise<void> {
  for (const [index, deposit] of deposits.entries()) {
    deposit.sentAt = performance.now();
    try {
      const { status } = await sendDeposit(serverFor(index), deposit);
      deposit.status = status;
      if (status === 200) deposit.ackedAt = performance.now();
    } catch {
      deposit.status = 'no answer';
      return;
    } finally {
      onAnswer();
    }
  }
}
