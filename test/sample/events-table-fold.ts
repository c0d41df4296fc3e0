import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { DynamoEventStore, EVENT_TABLE_ATTRIBUTES } from 'nestjs-dynamo-es';
import { lastValueFrom, toArray } from 'rxjs';
import type { AccountSummary } from '../../sample/accounts/read-model/account-directory.projection.js';

/** What the events table holds of one account, read past the sample's server. */
export interface AccountInTable {
  readonly summary: AccountSummary;
  readonly streamId: string;
  /** The stream's last version. */
  readonly version: number;
  /** Every deposit's amount in cents, in order. */
  readonly deposits: readonly number[];
}

/**
 * Every account stream of the events table, folded as the account directory folds it: found with a consistent
 * Scan (so that no stream is missed), each read with DynamoEventStore.readStream. Sorted by account id.
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
    for (const item of Items) streamIds.add(item[EVENT_TABLE_ATTRIBUTES.streamId]!.S!);
  }
  const accounts = await Promise.all(
    [...streamIds].map(async (streamId) => {
      const events = await lastValueFrom(store.readStream(streamId).pipe(toArray()));
      let summary: AccountSummary | undefined;
      const deposits: number[] = [];
      for (const { type, payload } of events) {
        const event = payload as { accountId: string; owner?: string; amountCents?: number };
        if (type === 'AccountOpened') {
          summary = { id: event.accountId, owner: event.owner!, balanceCents: 0 };
        } else if (type === 'MoneyDeposited') {
          deposits.push(event.amountCents!);
          summary = { ...summary!, balanceCents: summary!.balanceCents + event.amountCents! };
        } else if (type === 'MoneyWithdrawn') {
          summary = { ...summary!, balanceCents: summary!.balanceCents - event.amountCents! };
        }
      }
      if (!summary) throw new Error(`${streamId} has no AccountOpened`);
      return { summary, streamId, version: events.at(-1)!.version, deposits };
    }),
  );
  return accounts.sort((a, b) => a.summary.id.localeCompare(b.summary.id));
}
