import { EventStoreError } from '../core/errors.js';
import {
  httpStatusOf,
  isMissingCredentials,
  isMissingRegion,
  unreachableCodeOf,
} from '../dynamodb/sdk-errors.js';

/** One line saying why a command failed against DynamoDB, for a person at a terminal: no stack, no SDK internals. */
export function dynamoDBFailureMessage(
  error: unknown,
  tableName: string,
  /** Where the table was to be: "at http://localhost:8000", "in AWS region eu-west-1". */
  where: string,
  /** What the command was doing to the table: "set up", "read", "read the stream of". */
  action = 'set up',
): string {
  if (error instanceof EventStoreError) return oneLine(error.message);
  const { name = 'Error', message = '' } = (error ?? {}) as { name?: string; message?: string };
  const unreachable = unreachableCodeOf(error);
  if (unreachable) return `Could not reach DynamoDB ${where} (${unreachable}).`;
  if (isMissingCredentials(error))
    return (
      'No AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
      '(any values for a local emulator), or run where a role provides them.'
    );
  if (isMissingRegion(error)) return 'No AWS region configured: pass --region or set AWS_REGION.';
  if (httpStatusOf(error) !== undefined)
    return sentence(
      `DynamoDB ${where} refused to ${action} table "${tableName}": ${name}: ${message}`,
    );
  return sentence(`Could not ${action} table "${tableName}" ${where}: ${message || name}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function sentence(text: string): string {
  const line = oneLine(text);
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
