import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EVENT_TABLE_ATTRIBUTES as A } from 'nestjs-dynamo-es';

/** The payload of the sample's MoneyDeposited event for one version: about 260-byte items, as in the sample. */
export function depositPayload(
  accountId: string,
  version: number,
): { accountId: string; amountCents: number } {
  return { accountId, amountCents: (version % 97) + 1 };
}

/** One event item in this library's table layout, as DynamoDB sends it on the wire. */
export function eventItem(
  streamId: string,
  accountId: string,
  version: number,
): Record<string, AttributeValue> {
  return {
    [A.streamId]: { S: streamId },
    [A.version]: { N: String(version) },
    [A.type]: { S: version === 1 ? 'AccountOpened' : 'MoneyDeposited' },
    [A.schemaVersion]: { N: version === 1 ? '1' : '2' },
    [A.payload]: {
      S: JSON.stringify(
        version === 1 ? { accountId, owner: 'Ada Lovelace' } : depositPayload(accountId, version),
      ),
    },
    [A.metadata]: { S: JSON.stringify({ correlationId: accountId, causationId: accountId }) },
    [A.eventId]: { S: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}` },
    [A.recordedAt]: { S: '2026-11-25T17:00:00.000Z' },
  };
}

/**
 * A Query response body holding versions `from`…`to` of a stream in this library's layout; with `lastEvaluated`,
 * it says more pages follow.
 */
export function eventPage(
  streamId: string,
  accountId: string,
  from: number,
  to: number,
  lastEvaluated?: number,
  /** Only these attributes of each item, as a Query with a ProjectionExpression returns them. */
  projection?: readonly string[],
): string {
  const items = [];
  for (let version = from; version <= to; version++) {
    const item = eventItem(streamId, accountId, version);
    items.push(
      projection ? Object.fromEntries(projection.map((name) => [name, item[name]])) : item,
    );
  }
  return JSON.stringify({
    Items: items,
    Count: items.length,
    ScannedCount: items.length,
    ...(lastEvaluated === undefined
      ? {}
      : {
          LastEvaluatedKey: {
            [A.streamId]: { S: streamId },
            [A.version]: { N: String(lastEvaluated) },
          },
        }),
  });
}

/** The attributes a replay (the repository's load) asks for. */
export const REPLAY_ATTRIBUTES = [A.version, A.type, A.schemaVersion, A.payload];
