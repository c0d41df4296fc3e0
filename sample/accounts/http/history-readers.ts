import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';

export const HISTORY_READERS_OPTIONS = Symbol('HISTORY_READERS_OPTIONS');

export interface HistoryReadersOptions {
  /** History streams reading from the store at once, at most. */
  readonly max: number;
  /** How long a request waits for its turn before it is refused with 503, in milliseconds. */
  readonly maxWaitMs: number;
}

/**
 * HISTORY_READERS_MAX (default 8) and HISTORY_READERS_WAIT_MS (default 10000), from the ConfigService when the app
 * has one, else from the environment.
 */
export function historyReadersOptions(config?: ConfigService): HistoryReadersOptions {
  const setting = (name: string) => config?.get<string>(name) ?? process.env[name];
  return {
    max: positiveInteger(setting('HISTORY_READERS_MAX'), 8, 'HISTORY_READERS_MAX'),
    maxWaitMs: positiveInteger(
      setting('HISTORY_READERS_WAIT_MS'),
      10_000,
      'HISTORY_READERS_WAIT_MS',
    ),
  };
}

/** No turn came within HISTORY_READERS_WAIT_MS: the store is busy, the client should come back later. */
export class HistoryReadersBusyError extends Error {
  constructor(
    readonly waitedMs: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`No history reader was free within ${waitedMs} ms`);
    this.name = 'HistoryReadersBusyError';
  }
}

/** Gives the slot back; calling it again does nothing. */
export type ReleaseHistoryReader = () => void;

/**
 * At most `max` history streams read from the event store at once; the others wait their turn, first come first
 * served. Every history stream shares the module's DynamoDB client with the commands, and that client has a bounded
 * socket pool whose wait counts against the connection timeout: without a bound, a hundred readers take every
 * socket, and saves time out waiting for one.
 *
 * Why wait rather than refuse at once: a slot is held only while the store is read (the repository's Observable
 * reads page after page without waiting for the client), not while a slow client drains its events, so turns are
 * short and nearly every reader is served after a little wait. A browser's EventSource also gives up for good on a
 * non-200 answer (it reconnects only after a stream that was open), so a refusal costs the client its stream. Only
 * a reader that waited `maxWaitMs` is refused, with 503 and Retry-After: then the store itself is too slow, and
 * holding more connections open would not help.
 */
@Injectable()
export class HistoryReaders {
  private reading = 0;
  private readonly waiting = new Set<() => void>();

  constructor(@Inject(HISTORY_READERS_OPTIONS) private readonly options: HistoryReadersOptions) {}

  /** Slots taken now. */
  get inUse(): number {
    return this.reading;
  }

  /** Requests waiting for a slot now. */
  get queued(): number {
    return this.waiting.size;
  }

  /**
   * Resolves once a slot is free, with the function that frees it again. Rejects with HistoryReadersBusyError after
   * maxWaitMs; an aborted `signal` (the client left) leaves the queue, and rejects with the signal's reason.
   */
  acquire(signal?: AbortSignal): Promise<ReleaseHistoryReader> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.reading < this.options.max && this.waiting.size === 0)
      return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiting.delete(turn);
      };
      const turn = () => {
        leave();
        resolve(this.take());
      };
      const onAbort = () => {
        leave();
        reject(signal!.reason as Error);
      };
      const timer = setTimeout(() => {
        leave();
        reject(
          new HistoryReadersBusyError(
            this.options.maxWaitMs,
            Math.max(1, Math.ceil(this.options.maxWaitMs / 1000)),
          ),
        );
      }, this.options.maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(turn);
    });
  }

  private take(): ReleaseHistoryReader {
    this.reading++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reading--;
      // A Set iterates in insertion order: the longest waiter goes first.
      const [next] = this.waiting;
      next?.();
    };
  }
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`${name} must be a positive integer, not "${value}"`);
  return parsed;
}
