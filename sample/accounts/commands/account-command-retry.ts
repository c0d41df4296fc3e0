import type { RetryOnConflictOptions } from 'nestjs-dynamo-es';

/**
 * How the account commands retry a conflict: another command saved one of their accounts between their load and
 * their save, so they load, decide and save again (nothing of the attempt was written).
 *
 * - 50 attempts: a command loses a race only to a write that landed on one of its accounts, and each attempt loads
 *   the account anew, so among n commands racing on one account none loses more than n − 1 times. 50 attempts
 *   therefore serve 50 concurrent commands on one account without a 409 (the e2e test sends 50 withdrawals at
 *   once). DynamoDB's TransactionConflict, a conflict with a transaction still in progress (a transfer, a command
 *   with an Idempotency-Key), also counts as a lost race without anything landing: the margin absorbs a few.
 * - Waits with full jitter, from up to 10 ms (about one round trip to DynamoDB) doubling to a cap of 250 ms: 50
 *   writers that collided spread over enough time that each round lets one through instead of colliding again.
 *   A command that lost 49 races has waited 5.7 s on average (11.3 s at most) before it is answered 409.
 */
export const ACCOUNT_COMMAND_RETRY = {
  maxAttempts: 50,
  baseDelayMs: 10,
  maxDelayMs: 250,
} as const satisfies RetryOnConflictOptions;

/**
 * For a command whose client pinned the version with If-Match: a conflict is the client's to resolve (409), so one
 * attempt. It still runs inside retryOnConflict, which sends a save whose answer was lost again, the same events,
 * rather than fail it.
 */
export const PINNED_VERSION_RETRY = {
  ...ACCOUNT_COMMAND_RETRY,
  maxAttempts: 1,
} as const satisfies RetryOnConflictOptions;
