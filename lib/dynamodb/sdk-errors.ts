import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { AccessDeniedError, TableNotFoundError } from './errors.js';

/**
 * What the store makes of the AWS SDK's errors, in one place. Errors are read by name, code and HTTP status, never
 * by class, so that a client from another copy of the SDK is understood too.
 */
interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const CREDENTIAL_REFUSALS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function fieldsOf(error: unknown): SdkError {
  return typeof error === 'object' && error !== null ? error : {};
}

/** The store's typed error for a missing table or refused credentials; undefined for anything else. */
export function accessErrorOf(error: unknown, tableName: string): Error | undefined {
  const { name, message = '', $metadata } = fieldsOf(error);
  if (name === 'ResourceNotFoundException') {
    return new TableNotFoundError(tableName, { cause: error });
  }
  if (name === 'CredentialsProviderError') {
    return new AccessDeniedError(tableName, `no credentials were found (${message})`, {
      cause: error,
    });
  }
  if (name !== undefined && CREDENTIAL_REFUSALS.has(name)) {
    return new AccessDeniedError(tableName, `${name}: ${message}`, { cause: error });
  }
  // DynamoDB names its refusals; an endpoint in front of it, or an emulator, may only answer 403.
  if ($metadata?.httpStatusCode === 403) {
    return new AccessDeniedError(tableName, 'the endpoint answered 403 Forbidden', {
      cause: error,
    });
  }
  return undefined;
}

/** The error to throw for a failed read: the store's typed error when there is one, else the SDK's. */
export function asTypedSdkError(error: unknown, tableName: string): unknown {
  return accessErrorOf(error, tableName) ?? error;
}

/**
 * The network error code of a request that never reached an endpoint (ECONNREFUSED, ENOTFOUND, …), if it is one.
 * The SDK can wrap a network error from another realm (jest's vm, say) in a plain Error that keeps only its
 * message, so the message is read too.
 */
export function unreachableCodeOf(error: unknown): string | undefined {
  const { code, message = '' } = fieldsOf(error);
  const found = code ?? /\b(E[A-Z]{4,})\b/.exec(message)?.[1];
  return found !== undefined && UNREACHABLE_CODES.has(found) ? found : undefined;
}

/**
 * How a request was refused for who sent it: `credentials` when DynamoDB does not accept the credentials themselves
 * (an unknown or expired key, a wrong secret), `permissions` when it accepts them but their policies do not allow
 * the action (AccessDeniedException), `forbidden` for a 403 without DynamoDB's error name, which tells neither (an
 * emulator that checks credentials, a proxy in front of DynamoDB). Undefined for anything else.
 */
export function refusalOf(error: unknown): 'credentials' | 'permissions' | 'forbidden' | undefined {
  const { name, $metadata } = fieldsOf(error);
  if (name === 'AccessDeniedException') return 'permissions';
  if (name !== undefined && CREDENTIAL_REFUSALS.has(name)) return 'credentials';
  return $metadata?.httpStatusCode === 403 ? 'forbidden' : undefined;
}

export function isMissingCredentials(error: unknown): boolean {
  return fieldsOf(error).name === 'CredentialsProviderError';
}

/** The SDK's error for a client without a region: a plain Error, told apart by its message alone. */
export function isMissingRegion(error: unknown): boolean {
  return fieldsOf(error).message === 'Region is missing';
}

/** An HTTP answer from the endpoint, with its error name: a refusal, not a network failure. */
export function httpStatusOf(error: unknown): number | undefined {
  return fieldsOf(error).$metadata?.httpStatusCode;
}

/**
 * Whether a failed attempt may still have been applied by DynamoDB. A 4xx answer is a refusal, and a refused
 * connection never carried the request; anything else (a reset or lost answer, a timeout, a 5xx, a transaction
 * another request with the same token still holds) may have been applied.
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  const { name } = fieldsOf(error);
  if (unreachableCodeOf(error) === 'ECONNREFUSED' || name === 'CredentialsProviderError') {
    return false;
  }
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return name === 'TransactionInProgressException';
  }
  return true;
}

/** A transaction cancelled because another one held one of its items at that instant, and for no other reason. */
export function isCancelledOnlyByTransactionConflicts(error: unknown): boolean {
  if (fieldsOf(error).name !== 'TransactionCanceledException') return false;
  const reasons =
    (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return (
    reasons.some((reason) => reason.Code === 'TransactionConflict') &&
    reasons.every((reason) => reason.Code === 'TransactionConflict' || reason.Code === 'None')
  );
}

/**
 * A write refused for its condition: a ConditionalCheckFailed, or a transaction cancelled because a condition failed
 * or another transaction held one of its items. Either way the state it was conditioned on has moved.
 */
export function isConditionFailure(error: unknown): boolean {
  const { name } = fieldsOf(error);
  if (name === 'ConditionalCheckFailedException') return true;
  if (name !== 'TransactionCanceledException') return false;
  const reasons =
    (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return reasons.some(
    (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
  );
}

/** A DynamoDB Streams shard iterator older than 15 minutes: get a fresh one from the checkpoint. */
export function isExpiredIterator(error: unknown): boolean {
  return fieldsOf(error).name === 'ExpiredIteratorException';
}

/** Stream records asked for are beyond the stream's 24-hour retention. */
export function isTrimmedDataAccess(error: unknown): boolean {
  return fieldsOf(error).name === 'TrimmedDataAccessException';
}

export function isResourceNotFound(error: unknown): boolean {
  return fieldsOf(error).name === 'ResourceNotFoundException';
}

/** A request abandoned through its AbortSignal. */
export function isAborted(error: unknown): boolean {
  return fieldsOf(error).name === 'AbortError';
}
