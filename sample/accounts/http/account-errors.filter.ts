import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ConcurrencyError,
  EventStoreWriteError,
  IdempotencyKeyMismatchError,
  parseStreamId,
} from 'nestjs-dynamo-es';
import { AccountNotFoundError, AccountRuleViolation } from '../account.errors.js';
import { StaleAccountVersionError } from '../commands/stale-account-version.error.js';
import { HistoryReadersBusyError } from './history-readers.js';

/** Seconds a client should wait before retrying a request refused with 503. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Turns the domain's and the store's errors into HTTP answers. A body says what the client can do; it never carries
 * the store's own messages, which name stream keys, endpoints and socket errors: those are logged here instead.
 * No event was written in any of these cases, except perhaps by a write whose outcome is unknown (503); a 422 refusal
 * of a request with an Idempotency-Key stores the key with the refusal, so that its repeat gets the same 422.
 */
@Catch(
  AccountNotFoundError,
  AccountRuleViolation,
  ConcurrencyError,
  StaleAccountVersionError,
  IdempotencyKeyMismatchError,
  EventStoreWriteError,
  HistoryReadersBusyError,
)
export class AccountErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AccountErrorsFilter.name);

  catch(error: Error, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const { status, message } = answerTo(error, request.headers['idempotency-key'] !== undefined);
    const response = http.getResponse<Response>();
    if (status >= HttpStatus.INTERNAL_SERVER_ERROR) {
      // A busy history is load, not a fault: one line, no stack.
      if (error instanceof HistoryReadersBusyError)
        this.logger.warn(`${request.method} ${request.originalUrl}: ${error.message}`);
      else
        this.logger.error(
          `${request.method} ${request.originalUrl}: ${error.message}`,
          error.stack,
        );
      const retryAfter =
        error instanceof HistoryReadersBusyError ? error.retryAfterSeconds : RETRY_AFTER_SECONDS;
      response.setHeader('Retry-After', String(retryAfter));
    }
    response.status(status).json({ statusCode: status, error: REASONS[status], message });
  }
}

const REASONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.NOT_FOUND]: 'Not Found',
  [HttpStatus.CONFLICT]: 'Conflict',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'Unprocessable Entity',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service Unavailable',
};

function answerTo(
  error: Error,
  sentIdempotencyKey: boolean,
): { status: HttpStatus; message: string } {
  // The sample's own errors are written for the client.
  if (error instanceof AccountNotFoundError)
    return { status: HttpStatus.NOT_FOUND, message: error.message };
  if (error instanceof AccountRuleViolation)
    return { status: HttpStatus.UNPROCESSABLE_ENTITY, message: error.message };
  if (error instanceof StaleAccountVersionError)
    return { status: HttpStatus.CONFLICT, message: error.message };
  if (error instanceof IdempotencyKeyMismatchError) {
    // 422, as the IETF draft "The Idempotency-Key HTTP Header Field" (draft-ietf-httpapi-idempotency-key-header,
    // Error Scenarios) answers "an attempt to reuse an idempotency key with a different request payload". Not 409:
    // the draft keeps that for a retry that arrives while the first request is still being processed, which the
    // UnitOfWork instead answers with the first request's answer once it is stored.
    return {
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      message:
        `The Idempotency-Key "${error.key}" was used at ${error.storedAt.toISOString()} for a different ` +
        'request. Nothing was done: send this request with a new key.',
    };
  }
  if (error instanceof HistoryReadersBusyError) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      message: 'Too many history streams are being read: retry after the time Retry-After gives.',
    };
  }
  if (error instanceof ConcurrencyError) {
    const accountId = parseStreamId(error.streamId)?.aggregateId;
    return {
      status: HttpStatus.CONFLICT,
      message:
        `${accountId ? `Account ${accountId}` : 'The account'} was changed by another request at the same ` +
        'time. Nothing was written: reload the account and try again.',
    };
  }
  const outcome = error instanceof EventStoreWriteError ? error.outcome : 'unknown';
  if (outcome === 'not-written') {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      message: 'Storage is unavailable: nothing was written. Retry the request later.',
    };
  }
  return {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    message:
      'Storage did not confirm the change: it may or may not have been made. ' +
      (sentIdempotencyKey
        ? 'Retry the same request with the same Idempotency-Key: it is then made at most once, and the ' +
          'answer tells its outcome.'
        : 'Reload the account to see whether it was. A request sent with an Idempotency-Key header can be ' +
          'retried with the same key: it is then made at most once.'),
  };
}
