import { AccessDeniedError, TableNotFoundError } from './errors.js';

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const CREDENTIAL_FAILURES = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'CredentialsProviderError',
]);

/** The store's typed error for a missing table or refused credentials; undefined for anything else. */
export function asAccessError(error: unknown, tableName: string): Error | undefined {
  const { name, message = '', $metadata } = (error ?? {}) as SdkError;
  if (name === 'ResourceNotFoundException') {
    return new TableNotFoundError(tableName, { cause: error });
  }
  // DynamoDB names its refusals; an endpoint in front of it, or an emulator, may only answer 403.
  if (name !== undefined && CREDENTIAL_FAILURES.has(name)) {
    return new AccessDeniedError(tableName, `${name}: ${message}`, { cause: error });
  }
  if ($metadata?.httpStatusCode === 403) {
    return new AccessDeniedError(tableName, 'the endpoint answered 403 Forbidden', {
      cause: error,
    });
  }
  return undefined;
}

/**
 * Whether a failed attempt may still have been applied by DynamoDB. A 4xx answer is a refusal, and a refused
 * connection never carried the request; anything else (a reset or lost answer, a timeout, a 5xx, a transaction
 * another request with the same token still holds) may have been applied.
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  const { name, code, message = '', $metadata } = (error ?? {}) as SdkError;
  // The SDK can wrap a network error from another realm in a plain Error that keeps only its message.
  const refused = code === 'ECONNREFUSED' || message.includes('ECONNREFUSED');
  if (refused || name === 'CredentialsProviderError') return false;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return name === 'TransactionInProgressException';
  }
  return true;
}
