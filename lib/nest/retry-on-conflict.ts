import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as wait } from 'node:timers/promises';
import { ConcurrencyError } from '../core/errors.js';
import {
  backoffDelay,
  type BackoffOptions,
  type BackoffPolicy,
  backoffPolicy,
  requireInteger,
} from '../core/retry-policy.js';

/**
 * Options of `retryOnConflict` and `@RetryOnConflict`. The backoff options (`maxAttempts` 5, `baseDelayMs` 20,
 * `maxDelayMs` 1000, `random`) are explained on `DEFAULT_BACKOFF`.
 */
export interface RetryOnConflictOptions extends BackoffOptions {
  /**
   * Errors to retry besides ConcurrencyError, which is always retried. Only for errors that, like a conflict,
   * guarantee nothing was written, since the whole attempt runs again.
   */
  readonly retryIf?: (error: unknown) => boolean;
  /** Called before each backoff with the error, the number of the attempt that failed, and the delay. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /**
   * How many times in all one save may be sent while its outcome stays unknown (an EventStoreWriteError with
   * outcome `unknown`: a lost answer, a timeout): an integer ≥ 1, default 3. Such a save may have been stored, so
   * deciding again could store the change twice; sending the same events again (same ids, same expected version)
   * stores them exactly once: the repository's save() and UnitOfWork do that inside this helper, with its backoff
   * between sends (see `currentConflictRetry()`).
   */
  readonly unknownOutcomeAttempts?: number;
  /** Stops the retries: the promise then rejects with the signal's reason, and no further attempt starts. */
  readonly signal?: AbortSignal;
  /** Waits between attempts; `setTimeout` of node:timers/promises by default. Inject one in tests. */
  readonly sleep?: (delayMs: number, signal?: AbortSignal) => Promise<void>;
}

/** What `currentConflictRetry()` tells code that runs inside an attempt. */
export interface ConflictRetryScope {
  /** The number of the running attempt, 1 for the first. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** See RetryOnConflictOptions.unknownOutcomeAttempts. */
  readonly unknownOutcomeAttempts: number;
  /** The delay, with full jitter, to wait after the `failedAttempt`-th failure (1 for the first). */
  backoff(failedAttempt: number): number;
  /** Waits `delayMs` with the injected sleep; rejects with the signal's reason if it is aborted. */
  sleep(delayMs: number): Promise<void>;
  readonly signal: AbortSignal | undefined;
}

interface RetrySettings {
  readonly policy: BackoffPolicy;
  readonly unknownOutcomeAttempts: number;
  readonly retryIf: ((error: unknown) => boolean) | undefined;
  readonly onRetry: RetryOnConflictOptions['onRetry'];
  readonly signal: AbortSignal | undefined;
  readonly sleep: (delayMs: number, signal?: AbortSignal) => Promise<void>;
}

const DEFAULT_UNKNOWN_OUTCOME_ATTEMPTS = 3;

const scopes = new AsyncLocalStorage<ConflictRetryScope>();

/** Kept beside the errors rather than set on them: a ConcurrencyError's fields are the store's, and readonly. */
const attemptsMade = new WeakMap<object, number>();

/**
 * Runs `attempt` (given its number, 1 for the first) and, while it rejects with a ConcurrencyError, runs it again
 * after a backoff with full jitter, up to `maxAttempts` in all. A conflict means nothing of the attempt was written,
 * so each attempt must load the aggregate, decide and save: all of it runs again, side effects included.
 *
 * Any other error is thrown at once. After the last attempt the last error is thrown as it is, not wrapped, so
 * `instanceof ConcurrencyError` still holds; `conflictRetryAttempts(error)` tells how many attempts were made.
 * Invalid options reject with a RangeError before the first attempt.
 * A call nested in another's attempt retries on its own, and its final conflict fails the outer attempt, which
 * the outer call then retries whole.
 */
export async function retryOnConflict<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options?: RetryOnConflictOptions,
): Promise<T> {
  return runWithRetries(attempt, retrySettings(options));
}

/**
 * Runs a command handler's `execute` through `retryOnConflict`. Because the whole method runs again, it must load
 * the aggregate itself, inside `execute`, and save it there; whatever else it does is repeated too. Also applies to
 * commands that sagas send: @nestjs/cqrs logs and drops the error of such a command, so a saga's command that
 * loses a race is otherwise lost. `this`, the method's name and the metadata set on it are kept. Invalid options
 * throw a RangeError when the class is defined.
 */
export function RetryOnConflict(options?: RetryOnConflictOptions) {
  const settings = retrySettings(options);
  return <M extends (...args: never[]) => Promise<unknown>>(
    _target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): TypedPropertyDescriptor<M> => {
    const method = descriptor.value;
    if (typeof method !== 'function') {
      throw new TypeError(`@RetryOnConflict() decorates a method, and ${String(key)} is not one.`);
    }
    const retrying = function (this: unknown, ...args: Parameters<M>) {
      return runWithRetries(() => method.apply(this, args), settings);
    };
    Object.defineProperty(retrying, 'name', { value: method.name });
    // Decorators such as SetMetadata() store method metadata on the function itself.
    for (const metadataKey of Reflect.getOwnMetadataKeys(method)) {
      Reflect.defineMetadata(metadataKey, Reflect.getOwnMetadata(metadataKey, method), retrying);
    }
    return { ...descriptor, value: retrying as M };
  };
}

/** The retry the current code runs in, with the number of its attempt; undefined outside any. */
export function currentConflictRetry(): ConflictRetryScope | undefined {
  return scopes.getStore();
}

/** How many attempts retryOnConflict made before it threw this error; undefined for an error it did not throw. */
export function conflictRetryAttempts(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? attemptsMade.get(error) : undefined;
}

async function runWithRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  settings: RetrySettings,
): Promise<T> {
  const { policy, signal } = settings;
  for (let attemptNumber = 1; ; attemptNumber++) {
    signal?.throwIfAborted();
    try {
      return await scopes.run(scopeOf(settings, attemptNumber), () => attempt(attemptNumber));
    } catch (error) {
      const retryable = error instanceof ConcurrencyError || (settings.retryIf?.(error) ?? false);
      if (!retryable || attemptNumber >= policy.maxAttempts) {
        if (typeof error === 'object' && error !== null) attemptsMade.set(error, attemptNumber);
        throw error;
      }
      const delayMs = backoffDelay(policy, attemptNumber);
      settings.onRetry?.(error, attemptNumber, delayMs);
      await sleepFor(settings, delayMs);
    }
  }
}

function scopeOf(settings: RetrySettings, attempt: number): ConflictRetryScope {
  return {
    attempt,
    maxAttempts: settings.policy.maxAttempts,
    unknownOutcomeAttempts: settings.unknownOutcomeAttempts,
    backoff: (failedAttempt) => backoffDelay(settings.policy, failedAttempt),
    sleep: (delayMs) => sleepFor(settings, delayMs),
    signal: settings.signal,
  };
}

async function sleepFor({ sleep, signal }: RetrySettings, delayMs: number): Promise<void> {
  try {
    await sleep(delayMs, signal);
  } catch (error) {
    // node's timers reject with an AbortError of their own: give the caller the reason it aborted with.
    signal?.throwIfAborted();
    throw error;
  }
}

function retrySettings(options: RetryOnConflictOptions = {}): RetrySettings {
  const unknownOutcomeAttempts = options.unknownOutcomeAttempts ?? DEFAULT_UNKNOWN_OUTCOME_ATTEMPTS;
  requireInteger('unknownOutcomeAttempts', unknownOutcomeAttempts, 1);
  return {
    policy: backoffPolicy(options),
    unknownOutcomeAttempts,
    retryIf: options.retryIf,
    onRetry: options.onRetry,
    signal: options.signal,
    sleep: options.sleep ?? ((delayMs, signal) => wait(delayMs, undefined, { signal })),
  };
}
