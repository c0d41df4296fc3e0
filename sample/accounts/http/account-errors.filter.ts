import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConcurrencyError, EventStoreWriteError, parseStreamId } from 'nestjs-dynamo-es';
import { AccountNotFoundError, AccountRuleViolation } from '../account.errors.js';
import { StaleAccountVersionError } from '../commands/stale-account-version.error.js';

/** Seconds a client should wait before retrying a request refused with 503. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Turns the domain's and the store's errors into HTTP answers. A body says what the client can do; it never carries
 * the store's own messages, which name stream keys, endpoints and socket errors: those are logged here instead.
 * Nothing was written in any of these cases, except perhaps for a write whose outcome is unknown.
 */
@Catch(
  AccountNotFoundError,
  AccountRuleViolation,
  ConcurrencyError,
  StaleAccountVersionError,
  EventStoreWriteError,
)
export class AccountErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AccountErrorsFilter.name);

  catch(error: Error, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const { status, message } = answerTo(error);
    const response = http.getResponse<Response>();
    if (status >= HttpStatus.INTERNAL_SERVER_ERROR) {
      const request = http.getRequest<Request>();
      this.logger.error(`${request.method} ${request.originalUrl}: ${error.message}`, error.stack);
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
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

function answerTo(error: Error): { status: HttpStatus; message: string } {
  // The sample's own errors are written for the client.
  if (error instanceof AccountNotFoundError)
    return { status: HttpStatus.NOT_FOUND, message: error.message };
  if (error instanceof AccountRuleViolation)
    return { status: HttpStatus.UNPROCESSABLE_ENTITY, message: error.message };
  if (error instanceof StaleAccountVersionError)
    return { status: HttpStatus.CONFLICT, message: error.message };
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
  return {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    message:
      outcome === 'not-written'
        ? 'The account could not be changed: storage is unavailable. Nothing was written; retry the request ' +
          'later.'
        : 'Storage did not confirm the change: it may or may not have been made. Reload the account to see, ' +
          'or retry the request later with If-Match set to the version you last saw: it is then made at most ' +
          'once, and a 409 means the account has changed since.',
  };
}
