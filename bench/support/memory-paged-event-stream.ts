import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemSize } from 'nestjs-dynamo-es';
import { eventItem, eventPage } from './event-pages.js';
import { stubbedClient } from './stub-dynamodb.js';

/** DynamoDB ends a Query page once the items it read reach 1 MB, by the items' DynamoDB size. */
export const QUERY_PAGE_BYTES = 1024 * 1024;

export interface PagedEventStream {
  readonly client: DynamoDBClient;
  readonly events: number;
  /** The first version on each page, in order. */
  readonly pageStarts: readonly number[];
  /** The Query response body of the page starting at `from`, generated now: what the stub answers. */
  pageBody(from: number): string;
}

interface QueryRequest {
  readonly ExpressionAttributeValues?: { readonly ':stream'?: { readonly S?: string } };
  readonly ExclusiveStartKey?: { readonly version?: { readonly N?: string } };
}

/**
 * A client whose Query answers are one stream of `events` events in 1 MB pages, each page generated when it is
 * requested, from the request's ExclusiveStartKey: the stub keeps where each page ends, never the events.
 */
export function pagedEventStream(
  streamId: string,
  accountId: string,
  events: number,
): PagedEventStream {
  const pageEnds = planPages(streamId, accountId, events);
  const pageStarts = pageEnds.map((_, page) => (pageEnds[page - 1] ?? 0) + 1);
  const pageEndByStart = new Map(pageStarts.map((start, page) => [start, pageEnds[page]!]));
  const pageBody = (from: number) => {
    const to = pageEndByStart.get(from);
    if (to === undefined) throw new Error(`No page of ${streamId} starts at version ${from}`);
    return eventPage(streamId, accountId, from, to, to < events ? to : undefined);
  };
  const client = stubbedClient((operation, requestBody) => {
    const request = JSON.parse(requestBody) as QueryRequest;
    const requestedStream = request.ExpressionAttributeValues?.[':stream']?.S;
    if (operation !== 'Query' || requestedStream !== streamId) {
      throw new Error(
        `The stub serves Query on ${streamId} only, not ${operation} on ${requestedStream}`,
      );
    }
    return pageBody(Number(request.ExclusiveStartKey?.version?.N ?? 0) + 1);
  });
  return { client, events, pageStarts, pageBody };
}

/** The last version on each page: items are added while their sizes sum to at most 1 MB. */
function planPages(streamId: string, accountId: string, events: number): number[] {
  const pageEnds: number[] = [];
  let pageBytes = 0;
  for (let version = 1; version <= events; version++) {
    const bytes = itemSize(eventItem(streamId, accountId, version));
    if (pageBytes + bytes > QUERY_PAGE_BYTES) {
      pageEnds.push(version - 1);
      pageBytes = 0;
    }
    pageBytes += bytes;
  }
  if (events > 0) pageEnds.push(events);
  return pageEnds;
}
