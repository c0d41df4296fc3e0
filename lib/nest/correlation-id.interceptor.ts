import { randomUUID } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import { EventMetadataContext } from './event-metadata-context.js';

export const CORRELATION_ID_HEADER = 'x-correlation-id';
const ACCEPTABLE_ID = /^[\w.:@/+=-]{1,128}$/;

interface HttpMessage {
  readonly headers: Record<string, string | string[] | undefined>;
  setHeader?(name: string, value: string): void;
}

/**
 * Gives each HTTP request a correlation id, from its X-Correlation-Id header or a new one, echoed in the response:
 * every event the request leads to is stored with it. Register it globally (APP_INTERCEPTOR) or on controllers.
 */
@Injectable()
export class CorrelationIdInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const header = http.getRequest<HttpMessage>().headers[CORRELATION_ID_HEADER];
    const correlationId =
      typeof header === 'string' && ACCEPTABLE_ID.test(header) ? header : randomUUID();
    http.getResponse<HttpMessage>().setHeader?.(CORRELATION_ID_HEADER, correlationId);
    return new Observable((subscriber) =>
      EventMetadataContext.run({ correlationId }, () => next.handle().subscribe(subscriber)),
    );
  }
}
