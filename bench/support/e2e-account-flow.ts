import { performance } from 'node:perf_hooks';

/** An account as the sample's HTTP API returns it. */
export interface AccountState {
  readonly id: string;
  readonly owner: string;
  readonly balanceCents: number;
  readonly version: number;
}

/** The outcome of every request counted: how many, how long each took, how many were not 2xx. */
export class RequestTally {
  requests = 0;
  failures = 0;
  firstFailure: string | undefined;
  readonly latenciesMs: number[] = [];

  record(latencyMs: number, failure?: string): void {
    this.requests++;
    this.latenciesMs.push(latencyMs);
    if (failure === undefined) return;
    this.failures++;
    this.firstFailure ??= failure;
  }
}

const DEPOSIT = 10;
const WITHDRAWAL = 3;

/**
 * One client of the sample over HTTP, on an account of its own, running the flow deposit, withdrawal, read the
 * state. It keeps what its successful commands add up to, to check the state against.
 */
export class AccountFlowClient {
  /** Reads of the state, during the flow, that differed from what the client's commands add up to. */
  stateMismatches = 0;
  private expected: { balance: number; version: number } = { balance: 0, version: 1 };

  private constructor(
    private readonly accountUrl: string,
    readonly accountId: string,
  ) {}

  static async open(baseUrl: string, owner: string): Promise<AccountFlowClient> {
    const { status, body } = await send('POST', `${baseUrl}/accounts`, { owner });
    if (status !== 201) throw new Error(`Opening an account answered ${status}: ${body}`);
    const { id } = JSON.parse(body) as AccountState;
    return new AccountFlowClient(`${baseUrl}/accounts/${id}`, id);
  }

  /** Deposit, withdrawal, then the state: three requests, each timed into the tally. */
  async runFlow(tally: RequestTally): Promise<void> {
    if (await this.timed(tally, 'POST', '/deposits', { amountCents: DEPOSIT }))
      this.changed(DEPOSIT);
    if (await this.timed(tally, 'POST', '/withdrawals', { amountCents: WITHDRAWAL }))
      this.changed(-WITHDRAWAL);
    const state = await this.timed(tally, 'GET', '');
    if (state && !this.matches(state)) this.stateMismatches++;
  }

  /** The stored state, read now. */
  async state(): Promise<AccountState | undefined> {
    const { status, body } = await send('GET', this.accountUrl);
    return status === 200 ? (JSON.parse(body) as AccountState) : undefined;
  }

  /** Whether a state is what this client's successful commands add up to. */
  matches(state: Pick<AccountState, 'balanceCents'> & Partial<AccountState>): boolean {
    return (
      state.balanceCents === this.expected.balance &&
      (state.version === undefined || state.version === this.expected.version)
    );
  }

  private changed(amount: number): void {
    this.expected = {
      balance: this.expected.balance + amount,
      version: this.expected.version + 1,
    };
  }

  private async timed(
    tally: RequestTally,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<AccountState | undefined> {
    const start = performance.now();
    let failure: string | undefined;
    let state: AccountState | undefined;
    try {
      const response = await send(method, `${this.accountUrl}${path}`, body);
      if (response.status >= 200 && response.status < 300)
        state = JSON.parse(response.body) as AccountState;
      else failure = `${method} ${path || '/'}: ${response.status} ${response.body}`;
    } catch (error) {
      failure = `${method} ${path || '/'}: ${(error as Error).message}`;
    }
    tally.record(performance.now() - start, failure);
    return state;
  }
}

/** One request with Node's fetch (undici, connections kept alive); the whole body is read. */
async function send(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  const response = await fetch(
    url,
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return { status: response.status, body: await response.text() };
}

/** The sample's read model (GET /accounts): every account's balance as its event handler kept it. */
export async function readModelBalances(baseUrl: string): Promise<Map<string, number>> {
  const { status, body } = await send('GET', `${baseUrl}/accounts`);
  if (status !== 200) throw new Error(`GET /accounts answered ${status}: ${body}`);
  const accounts = JSON.parse(body) as readonly Pick<AccountState, 'id' | 'balanceCents'>[];
  return new Map(accounts.map(({ id, balanceCents }) => [id, balanceCents]));
}
