import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemSize } from 'nestjs-dynamo-es';
import { eventItem, eventPage } from './event-pages.js';
import { stubbedClient } from './stub-dynamodb.js';

/** DynamoDB ends a Query page once the items it read reach 1 MB, by the items' DynamoDB size. */
export const QUERY_PAGE_BYTES = 1024 * 1024;

export interface PagedEventStream {
  readonly client: DynamoDBClient;
  readonly events: number;
  /** The pages the reads asked for, the read of most pages: known once a read has run. */
  pageCount(): number;
}

interface QueryRequest {
  readonly ExpressionAttributeValues?: { readonly ':stream'?: { readonly S?: string } };
  readonly ExclusiveStartKey?: { readonly version?: { readonly N?: string } };
  readonly Limit?: number;
}

/**
 * A client whose Query answers are one stream of `events` events in pages of 1 MB, or of the request's Limit, served
 * by the request's ExclusiveStartKey. The response bodies are built the first time they are asked for, as Buffers,
 * which live off the JS heap as a response read from a socket does: a read after the first adds nothing to the heap
 * but what the reading does.
 */
export function pagedEventStream(
  streamId: string,
  accountId: string,
  events: number,
): PagedEventStream {
  const plans = new Map<
    number | undefined,
    { pageStarts: number[]; bodies: Map<number, Buffer> }
  >();
  const planOf = (limit: number | undefined) => {
    let plan = plans.get(limit);
    if (!plan) {
      const pageEnds = planPages(streamId, accountId, events, limit);
      const pageStarts = pageEnds.map((_, page) => (pageEnds[page - 1] ?? 0) + 1);
      const bodies = new Map(
        pageStarts.map((from, page) => {
          const to = pageEnds[page]!;
          return [
            from,
            Buffer.from(eventPage(streamId, accountId, from, to, to < events ? to : undefined)),
          ];
        }),
      );
      plan = { pageStarts, bodies };
      plans.set(limit, plan);
    }
    return plan;
  };
  const client = stubbedClient((operation, requestBody) => {
    const request = JSON.parse(requestBody) as QueryRequest;
    const requestedStream = request.ExpressionAttributeValues?.[':stream']?.S;
    if (operation !== 'Query' || requestedStream !== streamId) {
      throw new Error(
        `The stub serves Query on ${streamId} only, not ${operation} on ${requestedStream}`,
      );
    }
    const from = Number(request.ExclusiveStartKey?.version?.N ?? 0) + 1;
    const body = planOf(request.Limit).bodies.get(from);
    if (body === undefined) throw new Error(`No page of ${streamId} starts at version ${from}`);
    return body;
  });
  return {
    client,
    events,
    pageCount: () => Math.max(...[...plans.values()].map(({ pageStarts }) => pageStarts.length)),
  };
}

/** The last version on each page: items are added while their sizes sum to at most 1 MB, and up to `limit`. */
function planPages(
  streamId: string,
  accountId: string,
  events: number,
  limit = Number.POSITIVE_INFINITY,
): number[] {
  const pageEnds: number[] = [];
  let pageBytes = 0;
  let pageItems = 0;
  for (let version = 1; version <= events; version++) {
    const bytes = itemSize(eventItem(streamId, accountId, version));
    if (pageBytes + bytes > QUERY_PAGE_BYTES || pageItems === limit) {
      pageEnds.push(version - 1);
      pageBytes = 0;
      pageItems = 0;
    }
    pageBytes += bytes;
    pageItems++;
  }
  if (events > 0) pageEnds.push(events);
  return pageEnds;
}
