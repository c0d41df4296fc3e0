import { randomUUID } from 'node:crypto';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { EventMetadataContext } from './event-metadata-context.js';

export const CORRELATION_ID_HEADER = 'x-correlation-id';
const ACCEPTABLE_ID = /^[\w.:@/+=-]{1,128}$/;

interface HttpRequest {
  readonly headers: Record<string, string | string[] | undefined>;
}

interface HttpResponse {
  setHeader(name: string, value: string): unknown;
}

/**
 * Gives each HTTP request a correlation id, from its X-Correlation-Id header or a new one, echoed in the response:
 * every event the request leads to is stored with it. A middleware rather than an interceptor, so that the scope
 * also holds for Server-Sent Events routes and for errors raised before a handler runs. Apply it in a module's
 * `configure(consumer)`: `consumer.apply(CorrelationIdMiddleware).forRoutes('*')`.
 */
@Injectable()
export class CorrelationIdMiddleware implements NestMiddleware<HttpRequest, HttpResponse> {
  use(request: HttpRequest, response: HttpResponse, next: () => void): void {
    const header = request.headers[CORRELATION_ID_HEADER];
    const correlationId =
      typeof header === 'string' && ACCEPTABLE_ID.test(header) ? header : randomUUID();
    response.setHeader(CORRELATION_ID_HEADER, correlationId);
    EventMetadataContext.run({ correlationId }, next);
  }
}
