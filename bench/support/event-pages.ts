import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The payload of the sample's MoneyDeposited event for one version: about 260-byte items, as in the sample. */
export function depositPayload(
  accountId: string,
  version: number,
): { accountId: string; amount: number } {
  return { accountId, amount: (version % 97) + 1 };
}

/** One event item in this library's table layout, as DynamoDB sends it on the wire. */
export function eventItem(
  streamId: string,
  accountId: string,
  version: number,
): Record<string, AttributeValue> {
  return {
    streamId: { S: streamId },
    version: { N: String(version) },
    type: { S: version === 1 ? 'AccountOpened' : 'MoneyDeposited' },
    schemaVersion: { N: '1' },
    payload: {
      S: JSON.stringify(
        version === 1 ? { accountId, owner: 'Ada Lovelace' } : depositPayload(accountId, version),
      ),
    },
    metadata: { S: JSON.stringify({ correlationId: accountId, causationId: accountId }) },
    eventId: { S: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}` },
    recordedAt: { S: '2026-11-25T17:00:00.000Z' },
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
            streamId: { S: streamId },
            version: { N: String(lastEvaluated) },
          },
        }),
  });
}

/** The attributes a replay (the repository's load) asks for. */
export const REPLAY_ATTRIBUTES = ['version', 'type', 'schemaVersion', 'payload'];
