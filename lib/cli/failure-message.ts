import { EventStoreError } from '../core/errors.js';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** One line saying why `create-tables` failed, for a person at a terminal: no stack, no SDK internals. */
export function createTablesFailureMessage(
  error: unknown,
  tableName: string,
  /** Where the table was to be: "at http://localhost:8000", "in AWS region eu-west-1". */
  where: string,
): string {
  if (error instanceof EventStoreError) return oneLine(error.message);
  const sdkError = (error ?? {}) as SdkError;
  const { name = 'Error', message = '', $metadata } = sdkError;
  const unreachable = unreachableCode(sdkError);
  if (unreachable) return `Could not reach DynamoDB ${where} (${unreachable}).`;
  if (name === 'CredentialsProviderError')
    return (
      'No AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
      '(any values for a local emulator), or run where a role provides them.'
    );
  if (message === 'Region is missing')
    return 'No AWS region configured: pass --region or set AWS_REGION.';
  if ($metadata?.httpStatusCode !== undefined)
    return sentence(
      `DynamoDB ${where} refused to set up table "${tableName}": ${name}: ${message}`,
    );
  return sentence(`Could not set up table "${tableName}" ${where}: ${message || name}`);
}

function unreachableCode({ code, message = '' }: SdkError): string | undefined {
  // The SDK keeps only the message of a network error thrown in another realm (as under jest's vm).
  const found = code ?? /\b(E[A-Z]{4,})\b/.exec(message)?.[1];
  return found !== undefined && UNREACHABLE_CODES.has(found) ? found : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function sentence(text: string): string {
  const line = oneLine(text);
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
