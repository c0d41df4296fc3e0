/** How often, and how far apart, an operation is tried again. */
export interface BackoffOptions {
  /** Attempts in all, the first included. An integer ≥ 1; default 5. */
  readonly maxAttempts?: number;
  /** The ceiling of the first delay, in milliseconds; each later ceiling doubles. Default 20. */
  readonly baseDelayMs?: number;
  /** No delay exceeds this, in milliseconds. Default 1000. */
  readonly maxDelayMs?: number;
  /** A number in [0, 1), drawn once per delay; `Math.random` by default. Pass a seeded one to replay a run. */
  readonly random?: () => number;
}

/**
 * The defaults, sized for a conflict on one aggregate, where the rival write took one round trip to DynamoDB
 * (a few to 20 ms) and retrying reloads the aggregate first:
 * - 20 ms spreads the retries of writers that collided over about one such round trip, so most retry once.
 * - 5 attempts wait at most 20 + 40 + 80 + 160 = 300 ms in all (150 ms on average with full jitter): a request
 *   still answers in time, and an aggregate that loses five races in a row is contended beyond what waiting fixes
 *   (a stream takes ~500 appends/s at best), which its caller should hear about.
 * - 1000 ms caps a single wait when `maxAttempts` is raised.
 */
export const DEFAULT_BACKOFF = {
  maxAttempts: 5,
  baseDelayMs: 20,
  maxDelayMs: 1000,
} as const;

/** A validated policy: every option set. */
export interface BackoffPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly random: () => number;
}

/** The options with their defaults filled in; a RangeError names the first invalid one. */
export function backoffPolicy(options: BackoffOptions = {}): BackoffPolicy {
  const policy = {
    maxAttempts: options.maxAttempts ?? DEFAULT_BACKOFF.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
    random: options.random ?? Math.random,
  };
  requireInteger('maxAttempts', policy.maxAttempts, 1);
  requireDelay('baseDelayMs', policy.baseDelayMs);
  requireDelay('maxDelayMs', policy.maxDelayMs);
  return policy;
}

/**
 * The delay after the `failedAttempt`-th failure (1 for the first), with full jitter: uniform between 0 and
 * min(maxDelayMs, baseDelayMs · 2^(failedAttempt − 1)), rounded to the millisecond. Full jitter rather than a
 * fixed schedule because writers that collided once would otherwise collide again on every retry.
 */
export function backoffDelay(policy: BackoffPolicy, failedAttempt: number): number {
  // 0 · 2^1100 is NaN, not 0.
  const ceiling =
    policy.baseDelayMs === 0
      ? 0
      : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(policy.random() * ceiling);
}

export function requireInteger(name: string, value: number, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`Invalid ${name} ${value}: expected an integer ≥ ${minimum}.`);
  }
}

function requireDelay(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`Invalid ${name} ${value}: expected a number of milliseconds ≥ 0.`);
  }
}
