import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { DynamoEventStore, EVENT_TABLE_ATTRIBUTES, parseStreamId } from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';
import type { AccountSummary } from '../../sample/accounts/read-model/account-directory.projection.js';

/** One side of a transfer, as an account's stream holds it. */
export interface TransferSide {
  readonly transferId: string;
  readonly direction: 'out' | 'in';
  /** The account on the other side. */
  readonly otherAccountId: string;
  readonly amountCents: number;
}

/** What the events table holds of one account, read past the sample's server. */
export interface AccountInTable {
  readonly summary: AccountSummary;
  readonly streamId: string;
  /** The stream's last version. */
  readonly version: number;
  /** Every deposit's amount in cents, in order. */
  readonly deposits: readonly number[];
  /** Every withdrawal's amount in cents, in order. */
  readonly withdrawals: readonly number[];
  /** Every transfer the account sent or received, in order. */
  readonly transfers: readonly TransferSide[];
}

interface StoredPayload {
  accountId: string;
  owner?: string;
  amountCents?: number;
  transferId?: string;
  toAccountId?: string;
  fromAccountId?: string;
}

/**
 * Every account stream of the events table, folded as the account directory folds it: found with a consistent
 * Scan (so that no stream is missed; the items of idempotency keys are not streams and are left out), each read with
 * DynamoEventStore.readStream. Sorted by account id.
 */
export async function accountsInTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<AccountInTable[]> {
  const store = new DynamoEventStore({ client, tableName });
  const streamIds = new Set<string>();
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      ConsistentRead: true,
      ProjectionExpression: '#stream',
      ExpressionAttributeNames: { '#stream': EVENT_TABLE_ATTRIBUTES.streamId },
    },
  );
  for await (const { Items = [] } of pages) {
    for (const item of Items) {
      const streamId = item[EVENT_TABLE_ATTRIBUTES.streamId]!.S!;
      if (parseStreamId(streamId)?.aggregateType === 'Account') streamIds.add(streamId);
    }
  }
  const accounts = await Promise.all(
    [...streamIds].map(async (streamId) => {
      const events = await lastValueFrom(store.readStream(streamId).pipe(toArray()));
      let summary: AccountSummary | undefined;
      const deposits: number[] = [];
      const withdrawals: number[] = [];
      const transfers: TransferSide[] = [];
      const add = (delta: number) =>
        (summary = { ...summary!, balanceCents: summary!.balanceCents + delta });
      for (const { type, payload } of events) {
        const event = payload as StoredPayload;
        const amountCents = event.amountCents!;
        if (type === 'AccountOpened') {
          summary = { id: event.accountId, owner: event.owner!, balanceCents: 0 };
        } else if (type === 'MoneyDeposited') {
          deposits.push(amountCents);
          add(amountCents);
        } else if (type === 'MoneyWithdrawn') {
          withdrawals.push(amountCents);
          add(-amountCents);
        } else if (type === 'MoneyTransferredOut') {
          transfers.push({
            transferId: event.transferId!,
            direction: 'out',
            otherAccountId: event.toAccountId!,
            amountCents,
          });
          add(-amountCents);
        } else if (type === 'MoneyTransferredIn') {
          transfers.push({
            transferId: event.transferId!,
            direction: 'in',
            otherAccountId: event.fromAccountId!,
            amountCents,
          });
          add(amountCents);
        }
      }
      if (!summary) throw new Error(`${streamId} has no AccountOpened`);
      return {
        summary,
        streamId,
        version: events.at(-1)!.version,
        deposits,
        withdrawals,
        transfers,
      };
    }),
  );
  return accounts.sort((a, b) => a.summary.id.localeCompare(b.summary.id));
}

/**
 * The transfers of the table whose two sides do not match: a transfer id in one stream only, in more than two
 * places, or whose sides disagree on the accounts or the amount. Empty when every transfer was stored whole.
 */
export function halfAppliedTransfers(accounts: readonly AccountInTable[]): string[] {
  const sides = new Map<string, { accountId: string; side: TransferSide }[]>();
  for (const { summary, transfers } of accounts) {
    for (const side of transfers) {
      sides.set(side.transferId, [
        ...(sides.get(side.transferId) ?? []),
        { accountId: summary.id, side },
      ]);
    }
  }
  return [...sides].flatMap(([transferId, found]) => {
    const out = found.filter(({ side }) => side.direction === 'out');
    const into = found.filter(({ side }) => side.direction === 'in');
    const whole =
      found.length === 2 &&
      out.length === 1 &&
      into.length === 1 &&
      out[0]!.side.otherAccountId === into[0]!.accountId &&
      into[0]!.side.otherAccountId === out[0]!.accountId &&
      out[0]!.side.amountCents === into[0]!.side.amountCents;
    return whole ? [] : [transferId];
  });
}
