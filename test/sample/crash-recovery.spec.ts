import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  createLeaseTable,
  createViewTable,
  DynamoViewStore,
  LEASE_TABLE_ATTRIBUTES,
} from 'nestjs-dynamo-es/projections';
import type { AccountSummary } from '../../sample/accounts/read-model/account-directory.projection.js';
import { createTestTable, testClient } from '../support/dynamodb.js';
import { eventually } from '../support/eventually.js';
import {
  type Deposit,
  depositInTurn,
  depositsOf,
  listed,
  openAccount,
  post,
  sendDeposit,
} from './accounts-http.js';
import { accountsInTable } from './events-table-fold.js';
import { killSampleServers, type SampleServer, startSampleServer } from './sample-server.js';

/**
 * The sample as it runs in production: real processes on a real (local) DynamoDB, killed, restarted and doubled.
 * The read model is held to the events table itself, folded past the servers. Each deposit of an account is a
 * distinct power of two, so a balance says exactly which deposits it holds: one applied twice or lost changes it.
 */

const FAILOVER_TIME_MS = 1_500;
const CONVERGENCE_WITHIN_MS = 20_000;

let client: DynamoDBClient;
beforeAll(() => {
  client = testClient();
});
afterEach(() => killSampleServers());
afterAll(() => client.destroy());

interface Tables {
  readonly EVENTS_TABLE: string;
  readonly VIEWS_TABLE: string;
  readonly LEASE_TABLE: string;
}

async function freshTables(): Promise<Tables> {
  const tables = {
    EVENTS_TABLE: await createTestTable(client),
    VIEWS_TABLE: `views-test-${randomUUID()}`,
    LEASE_TABLE: `leases-test-${randomUUID()}`,
  };
  await createViewTable(client, tables.VIEWS_TABLE);
  await createLeaseTable(client, tables.LEASE_TABLE);
  return tables;
}

function startServer(tables: Tables, workerId = `sample-${randomUUID().slice(0, 8)}`) {
  return startSampleServer({
    ...tables,
    PROJECTIONS_IDLE_DELAY_MS: '50',
    PROJECTIONS_FAILOVER_MS: String(FAILOVER_TIME_MS),
    PROJECTIONS_WORKER_ID: workerId,
  });
}

const summariesInTable = async (tables: Tables) =>
  (await accountsInTable(client, tables.EVENTS_TABLE)).map((account) => account.summary);

/** Waits until every server's GET /accounts equals the events table's fold; resolves with that fold. */
async function converged(tables: Tables, ...servers: SampleServer[]): Promise<AccountSummary[]> {
  const seen = await eventually(
    async () => ({
      table: await summariesInTable(tables),
      views: await Promise.all(servers.map(listed)),
    }),
    ({ table, views }) => views.every((view) => JSON.stringify(view) === JSON.stringify(table)),
    { withinMs: CONVERGENCE_WITHIN_MS, everyMs: 25 },
  );
  return seen.table;
}

/** How many deposits the table holds that the listed balances lack: each is a bit of the balance. */
function depositsBehind(listedAccounts: AccountSummary[], table: AccountSummary[]): number {
  const bits = (balance = 0) => [...balance.toString(2)].filter((bit) => bit === '1').length;
  const listedBalance = new Map(listedAccounts.map(({ id, balanceCents }) => [id, balanceCents]));
  return table.reduce(
    (sum, { id, balanceCents }) => sum + bits(balanceCents) - bits(listedBalance.get(id)),
    0,
  );
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const ms = (value: number) => `${Math.round(value)} ms`;

/**
 * Sends the deposits in two lanes per account (its even and its odd deposits, so that deposits to one account race
 * as well), each lane in turn, and kills the server with SIGKILL once a third of them were answered. Resolves once
 * the server is gone and every lane has stopped at its first deposit without an answer.
 */
async function burstKilledMidway(
  server: SampleServer,
  accountIds: readonly string[],
  deposits: readonly Deposit[],
): Promise<{ inFlightAtKill: number; killedAt: number }> {
  const killAfter = Math.floor(deposits.length / 3);
  let answered = 0;
  let inFlightAtKill = 0;
  let killedAt = 0;
  let killing: Promise<void> | undefined;
  const lanes = accountIds.flatMap((accountId) =>
    [0, 1].map((parity) =>
      deposits.filter((d) => d.accountId === accountId && d.index % 2 === parity),
    ),
  );
  await Promise.all(
    lanes.map((lane) =>
      depositInTurn(
        lane,
        () => server,
        () => {
          if (++answered < killAfter || killing) return;
          inFlightAtKill = deposits.filter((d) => d.sentAt && !d.status).length;
          killedAt = performance.now();
          killing = server.kill();
        },
      ),
    ),
  );
  await killing;
  return { inFlightAtKill, killedAt };
}

describe('the sample in real processes on DynamoDB (moto)', () => {
  it('after a kill -9 in the middle of a burst of deposits, the read model converges to what the stream holds', async () => {
    const tables = await freshTables();
    const first = await startServer(tables);
    const accountIds = await Promise.all(
      ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances'].map((owner) =>
        openAccount(first, owner),
      ),
    );
    const deposits = depositsOf(accountIds, 12);

    const { inFlightAtKill, killedAt } = await burstKilledMidway(first, accountIds, deposits);
    const acked = deposits.filter((deposit) => deposit.status === 200);
    const unanswered = deposits.filter((deposit) => deposit.status === 'no answer');
    const refused = deposits.filter((d) => typeof d.status === 'number' && d.status !== 200);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(unanswered.length).toBeGreaterThan(0);
    // Deposits racing on one account are retried until they pass: none is refused with 409.
    expect(refused).toEqual([]);

    const second = await startServer(tables);
    const listeningAt = performance.now();
    const behindAtRestart = depositsBehind(await listed(second), await summariesInTable(tables));
    const table = await converged(tables, second);
    const convergedAt = performance.now();

    const inTable = await accountsInTable(client, tables.EVENTS_TABLE);
    expect(inTable.map((account) => account.summary.id).sort()).toEqual([...accountIds].sort());
    for (const { summary, deposits: amounts } of inTable) {
      // The store wrote each deposit once (a save whose answer was lost is sent again with the same event ids)...
      expect(new Set(amounts).size).toBe(amounts.length);
      // ...and every acknowledged one is there.
      const ackedHere = acked.filter((d) => d.accountId === summary.id).map((d) => d.amountCents);
      expect(amounts).toEqual(expect.arrayContaining(ackedHere));
    }
    // The read model's position of each stream is the stream's end: nothing left over, nothing applied ahead.
    const views = new DynamoViewStore({ client, tableName: tables.VIEWS_TABLE });
    for (const { summary, streamId, version } of inTable) {
      const state = await views.read('account-directory', summary.id);
      expect(state?.positions[streamId]).toBe(version);
    }
    expect(await listed(second)).toEqual(table);

    console.log(
      `kill -9 mid-burst: ${acked.length} of ${deposits.length} deposits acknowledged, ` +
        `${refused.length} refused, ` +
        `${inFlightAtKill} in flight at the kill, ${unanswered.length} unanswered; ` +
        `${inTable.reduce((sum, a) => sum + a.deposits.length, 0)} deposits in the table, ` +
        `${behindAtRestart} of them not yet in the read model when the new server listened. ` +
        `GET /accounts equal to the table ${ms(convergedAt - listeningAt)} after the new server listened ` +
        `(${ms(convergedAt - killedAt)} after the kill; failover time ${FAILOVER_TIME_MS} ms)`,
    );
  });

  it('after a kill -9, every deposit left unanswered is sent again with its Idempotency-Key and applied once', async () => {
    const tables = await freshTables();
    const first = await startServer(tables);
    const accountIds = await Promise.all(
      ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances'].map((owner) =>
        openAccount(first, owner),
      ),
    );
    const perAccount = 12;
    const deposits = depositsOf(accountIds, perAccount).map((deposit) => ({
      ...deposit,
      idempotencyKey: randomUUID(),
    }));

    const { inFlightAtKill } = await burstKilledMidway(first, accountIds, deposits);
    const unanswered = deposits.filter((deposit) => deposit.status === 'no answer');
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(deposits.filter((d) => typeof d.status === 'number' && d.status !== 200)).toEqual([]);

    // Once the new server listens, whatever the killed one had sent has landed or never will.
    const second = await startServer(tables);
    const atRestart = await accountsInTable(client, tables.EVENTS_TABLE);
    const storedAtRestart = (deposit: Deposit) =>
      atRestart
        .find((a) => a.summary.id === deposit.accountId)!
        .deposits.includes(deposit.amountCents);
    const versionAtRestart = new Map(atRestart.map((a) => [a.summary.id, a.version]));
    const landed = unanswered.filter(storedAtRestart);

    // Each unanswered deposit sent again, with its key, as a client that lost the answer does.
    const resent = await Promise.all(
      unanswered.map(async (deposit) => ({ deposit, ...(await sendDeposit(second, deposit)) })),
    );
    for (const { deposit, status, body } of resent) {
      expect(status).toBe(200);
      // One that had landed is answered from its key (the state it left then); one that had not is applied now.
      const version = body.version as number;
      if (storedAtRestart(deposit))
        expect(version).toBeLessThanOrEqual(versionAtRestart.get(deposit.accountId)!);
      else expect(version).toBeGreaterThan(versionAtRestart.get(deposit.accountId)!);
    }
    // The deposits the lanes never sent, sent now: then every account holds every deposit.
    const neverSent = deposits.filter((deposit) => deposit.status === undefined);
    for (const deposit of neverSent) expect((await sendDeposit(second, deposit)).status).toBe(200);

    const inTable = await accountsInTable(client, tables.EVENTS_TABLE);
    const duplicates = inTable.reduce(
      (sum, a) => sum + a.deposits.length - new Set(a.deposits).size,
      0,
    );
    expect(duplicates).toBe(0);
    for (const { summary, deposits: amounts } of inTable) {
      expect([...amounts].sort((a, b) => a - b)).toEqual(
        Array.from({ length: perAccount }, (_, k) => 2 ** k),
      );
      expect(summary.balanceCents).toBe(2 ** perAccount - 1);
    }
    expect(await converged(tables, second)).toEqual(inTable.map((a) => a.summary));

    console.log(
      `kill -9 with Idempotency-Keys: ${deposits.filter((d) => d.status === 200).length} of ${deposits.length} ` +
        `deposits acknowledged, ${inFlightAtKill} in flight at the kill, ${unanswered.length} unanswered ` +
        `(${landed.length} of them in the table at the restart, ${unanswered.length - landed.length} not); all ` +
        `${unanswered.length} resent to the restarted server with their keys: ` +
        `${resent.filter((r) => r.status === 200).length} × 200, ${landed.length} answered from the key, ` +
        `${unanswered.length - landed.length} applied then; ${neverSent.length} never sent, sent after; ` +
        `${inTable.reduce((sum, a) => sum + a.deposits.length, 0)} deposits in the table, ${duplicates} duplicated`,
    );
  });

  it('the read model survives restarts', async () => {
    const tables = await freshTables();
    const first = await startServer(tables);
    const id = await openAccount(first, 'Ada');
    expect((await post(first, `/accounts/${id}/deposits`, { amountCents: 5 })).status).toBe(200);
    const before = await converged(tables, first);
    expect(before).toEqual([{ id, owner: 'Ada', balanceCents: 5 }]);

    expect(await first.stop()).toBe(0);
    // The graceful shutdown released the runner's leases: the next instance need not wait out the failover time.
    const { Items: leases = [] } = await client.send(
      new ScanCommand({ TableName: tables.LEASE_TABLE, ConsistentRead: true }),
    );
    expect(leases.length).toBeGreaterThan(0);
    expect(leases.filter((lease) => lease[LEASE_TABLE_ATTRIBUTES.leaseOwner])).toEqual([]);

    const second = await startServer(tables);
    expect(await listed(second)).toEqual(before);

    const depositedAt = performance.now();
    expect((await post(second, `/accounts/${id}/deposits`, { amountCents: 7 })).status).toBe(200);
    expect(await converged(tables, second)).toEqual([{ id, owner: 'Ada', balanceCents: 12 }]);
    console.log(
      `restart: the new instance listed the account at once; a deposit after it showed up ` +
        `${ms(performance.now() - depositedAt)} after it was sent`,
    );
  });

  it('two instances share the work and each shows every account', async () => {
    const tables = await freshTables();
    const servers = await Promise.all([
      startServer(tables, 'instance-a'),
      startServer(tables, 'instance-b'),
    ]);
    const accountIds = await Promise.all(
      ['Ada', 'Grace', 'Edsger', 'Barbara'].map((owner, i) => openAccount(servers[i % 2]!, owner)),
    );
    const perAccount = 8;
    const finalBalance = 2 ** perAccount - 1;
    const deposits = depositsOf(accountIds, perAccount);

    // Both instances' GET /accounts polled through the burst, each until, after it, it shows every deposit: when
    // did each acknowledged deposit show?
    const polls: { sentAt: number; answeredAt: number; balances: Map<string, number> }[] = [];
    let burstDone = false;
    let burstFailed = false;
    const pollUntil = Date.now() + CONVERGENCE_WITHIN_MS;
    const pollers = servers.map(async (server) => {
      while (!burstFailed && Date.now() < pollUntil) {
        const sentAt = performance.now();
        const balances = new Map(
          (await listed(server)).map(({ id, balanceCents }) => [id, balanceCents]),
        );
        polls.push({ sentAt, answeredAt: performance.now(), balances });
        const showsAll = accountIds.every((id) => balances.get(id) === finalBalance);
        if (burstDone && showsAll) return;
      }
    });
    // Accounts in parallel, each account's deposits in turn, alternately through either instance.
    await Promise.all(
      accountIds.map((accountId, a) =>
        depositInTurn(
          deposits.filter((d) => d.accountId === accountId),
          (k) => servers[(a + k) % 2]!,
        ),
      ),
    );
    burstDone = true;
    burstFailed = deposits.some((deposit) => deposit.status !== 200);
    await Promise.all(pollers);
    expect(deposits.map((deposit) => deposit.status)).toEqual(deposits.map(() => 200));

    const table = await converged(tables, ...servers);
    expect(table.map((account) => account.balanceCents)).toEqual(table.map(() => finalBalance));
    // On moto, whose stream has one shard, one instance reads it and the other serves from the same views.
    const { Items: leases = [] } = await client.send(
      new ScanCommand({ TableName: tables.LEASE_TABLE, ConsistentRead: true }),
    );
    const leaseOwners = leases.map((lease) => lease[LEASE_TABLE_ATTRIBUTES.leaseOwner]?.S);
    expect(leaseOwners.length).toBeGreaterThan(0);
    for (const owner of leaseOwners) expect(owner).toMatch(/^instance-[ab]$/);

    // A deposit shows once its bit is set: the answer of the first GET sent after its 200 that has it.
    const staleness = deposits.map((deposit) => {
      const bit = deposit.amountCents;
      const shown = polls.find(
        (poll) =>
          poll.sentAt >= deposit.ackedAt! &&
          Math.floor((poll.balances.get(deposit.accountId) ?? 0) / bit) % 2 === 1,
      );
      if (!shown) throw new Error(`deposit ${deposit.index} to ${deposit.accountId} never showed`);
      return shown.answeredAt - deposit.ackedAt!;
    });
    console.log(
      `two instances: ${deposits.length} deposits (${accountIds.length} accounts in parallel) through both; ` +
        `GET /accounts showed a deposit ${ms(median(staleness))} after its 200 (median; ` +
        `max ${ms(Math.max(...staleness))}), a GET took ${ms(median(polls.map((p) => p.answeredAt - p.sentAt)))} ` +
        `(median, ${polls.length} polls); lease owners: ${leaseOwners.join(', ')}`,
    );
  });
});
