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
}

interface QueryRequest {
  readonly ExpressionAttributeValues?: { readonly ':stream'?: { readonly S?: string } };
  readonly ExclusiveStartKey?: { readonly version?: { readonly N?: string } };
}

/**
 * A client whose Query answers are one stream of `events` events in 1 MB pages, served by the request's
 * ExclusiveStartKey. The response bodies are built beforehand as Buffers, which live off the JS heap as a response
 * read from a socket does: the stub adds nothing to the heap while a history is read.
 */
export function pagedEventStream(
  streamId: string,
  accountId: string,
  events: number,
): PagedEventStream {
  const pageEnds = planPages(streamId, accountId, events);
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
  const pageBody = (from: number) => {
    const body = bodies.get(from);
    if (body === undefined) throw new Error(`No page of ${streamId} starts at version ${from}`);
    return body;
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
  return { client, events, pageStarts };
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
