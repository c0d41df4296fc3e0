import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { ConcurrencyError, EventStoreWriteError } from 'nestjs-dynamo-es';
import { AccountNotFoundError, AccountRuleViolation } from '../account.errors.js';
import { StaleAccountVersionError } from '../commands/stale-account-version.error.js';

/**
 * Turns the domain's and the store's errors into HTTP answers. Nothing was written in any of these cases, except
 * perhaps for a write whose outcome is unknown: the client may retry the request.
 */
@Catch(
  AccountNotFoundError,
  AccountRuleViolation,
  ConcurrencyError,
  StaleAccountVersionError,
  EventStoreWriteError,
)
export class AccountErrorsFilter implements ExceptionFilter {
  catch(error: Error, host: ArgumentsHost): void {
    const status = statusOf(error);
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(status)
      .json({ statusCode: status, error: REASONS[status], message: error.message });
  }
}

const REASONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.NOT_FOUND]: 'Not Found',
  [HttpStatus.CONFLICT]: 'Conflict',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'Unprocessable Entity',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service Unavailable',
};

function statusOf(error: Error): HttpStatus {
  if (error instanceof AccountNotFoundError) return HttpStatus.NOT_FOUND;
  if (error instanceof AccountRuleViolation) return HttpStatus.UNPROCESSABLE_ENTITY;
  if (error instanceof EventStoreWriteError) return HttpStatus.SERVICE_UNAVAILABLE;
  return HttpStatus.CONFLICT;
}
