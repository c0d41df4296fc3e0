import { EventStoreWriteError } from '../core/errors.js';
import { currentConflictRetry } from './retry-on-conflict.js';

/**
 * Sends a write, and inside retryOnConflict sends the same write again while its outcome is unknown, as often as
 * the helper's `unknownOutcomeAttempts` allows and with its backoff: the same events keep their ids, so they are
 * stored once. Outside the helper it is sent once. `retry` tells the store an earlier send may have landed.
 */
export async function sendAgainWhileUnknown<R>(
  send: (retry: boolean) => Promise<R>,
  write: { readonly mayBeStored: boolean; failed(error: unknown): void },
): Promise<R> {
  const scope = currentConflictRetry();
  const attempts = scope?.unknownOutcomeAttempts ?? 1;
  let mayBeStored = write.mayBeStored;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(mayBeStored);
    } catch (error) {
      write.failed(error);
      const unknown = error instanceof EventStoreWriteError && error.outcome === 'unknown';
      if (!unknown || attempt >= attempts || !scope) throw error;
      mayBeStored = true;
      await scope.sleep(scope.backoff(attempt));
    }
  }
}
