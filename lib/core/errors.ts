import { inspect } from 'node:util';
import type { AppendLimit, StoredIdempotencyKey } from './types.js';

/** Set to "true" to log the store's errors in full: their causes' DynamoDB items and response metadata included. */
export const DEBUG_ERRORS_VARIABLE = 'NESTJS_DYNAMO_ES_DEBUG';

/** Error options of a failed append: what caused it, and the ids of the events it tried to write. */
export interface AppendErrorOptions extends ErrorOptions {
  readonly eventIds?: readonly string[];
  /** Every stream of an append to several; by default the error's own. */
  readonly streamIds?: readonly string[];
}

/** Base class of every error the event store throws on purpose: catch this to catch them all. */
export class EventStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }

  /**
   * How loggers print it (Nest's Logger and @nestjs/cqrs hand errors to util.inspect): its stack and its cause's name
   * and message, not the cause's fields, which hold the stored DynamoDB item (payloads, metadata) and the response's
   * metadata. An expected outcome (a conflict, a key in use: `loggedOnOneLine`) is one line. NESTJS_DYNAMO_ES_DEBUG=true
   * prints everything.
   */
  [inspect.custom](): string | this {
    if (process.env[DEBUG_ERRORS_VARIABLE] === 'true') return this;
    const { cause } = this;
    const causedBy =
      cause === undefined
        ? ''
        : cause instanceof Error
          ? ` (cause: ${cause.name}: ${cause.message})`
          : ` (cause: ${typeof cause === 'string' ? cause : typeof cause})`;
    if (this.loggedOnOneLine) return `${this.name}: ${this.message}${causedBy}`;
    return `${this.stack ?? `${this.name}: ${this.message}`}${causedBy ? `\n  ${causedBy.slice(2, -1)}` : ''}`;
  }

  /** An outcome a caller handles in the normal course of things, logged as one line. */
  protected get loggedOnOneLine(): boolean {
    return false;
  }
}

/**
 * Another writer appended to the stream after `expectedVersion` was read. Nothing of this save was written;
 * reload the aggregate and decide again.
 */
export class ConcurrencyError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    /** A version the stream already holds above `expectedVersion`, when DynamoDB returned the conflicting item. */
    readonly foundVersion: number | undefined,
    options: AppendErrorOptions = {},
  ) {
    super(
      `Stream "${streamId}" is no longer at version ${expectedVersion}` +
        (foundVersion === undefined ? '' : `: version ${foundVersion} already exists`) +
        '. Nothing was written; reload and retry.',
      options,
    );
    this.eventIds = options.eventIds ?? [];
  }

  /** The ids of the events the refused save carried: none of them was written. */
  readonly eventIds: readonly string[];

  protected override get loggedOnOneLine(): boolean {
    return true;
  }
}

/** An append would exceed one of DynamoDB's request limits. Checked before any write: nothing was written. */
export class EventStoreLimitError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly limit: AppendLimit,
    readonly maximum: number,
    readonly found: number,
  ) {
    super(
      `Cannot append to stream "${streamId}": ${found} ${limit} exceeds DynamoDB's limit of ${maximum}. ` +
        'Nothing was written.',
    );
  }
}

/** An event payload or metadata that cannot be stored without losing data. Nothing was written. */
export class EventSerializationError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly eventType: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot store event "${eventType}" in stream "${streamId}": ${reason}. Nothing was written.`,
      options,
    );
  }
}

/** A stream id that DynamoDB cannot use as a partition key. Nothing was written. */
export class InvalidStreamIdError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly reason: string,
  ) {
    super(`Invalid stream id "${streamId}": ${reason}.`);
  }
}

/**
 * An append the store refuses before writing: no events, an impossible expected version, or an event whose type,
 * schema version, id or time is not valid.
 */
export class InvalidAppendError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly reason: string,
  ) {
    super(`Cannot append to stream "${streamId}": ${reason}. Nothing was written.`);
  }
}

/**
 * What a failed append may have done.
 * - `unknown`: an attempt may have been applied (a lost answer, a timeout, a server error) and reading back could
 *   not tell. Append the same events again (same ids, same expected version, `retry: true`): they are then stored
 *   exactly once.
 * - `not-written`: no attempt of this call can have been applied, and it was not marked as a retry of an append
 *   whose outcome was unknown. Nothing of it is stored or ever will be; deciding again is safe.
 */
export type WriteOutcome = 'unknown' | 'not-written';

/**
 * A save that failed for a reason other than a conflict, after the SDK's retries. With outcome `unknown`, retry the
 * same save: its events keep their ids, so it is written exactly once whether or not the first attempt was.
 */
export class EventStoreWriteError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly outcome: WriteOutcome,
    options: AppendErrorOptions,
  ) {
    const streamIds = options.streamIds ?? [streamId];
    super(
      (streamIds.length > 1
        ? `Could not append to streams ${streamIds.map((id) => `"${id}"`).join(', ')}: `
        : `Could not append to stream "${streamId}" at version ${expectedVersion}: `) +
        (outcome === 'unknown'
          ? 'the events may or may not have been written. Retry the same save: the same event ids make it ' +
            'exactly once.'
          : 'nothing was written. Retry later.') +
        ` (${(options.cause as Error | undefined)?.message ?? 'no cause'})`,
      options,
    );
    this.eventIds = options.eventIds ?? [];
    this.streamIds = streamIds;
  }

  /** The ids of the events the save carried: with outcome `unknown`, each is stored once or not at all. */
  readonly eventIds: readonly string[];
  /** Every stream the save appended to: its own, or all of an append to several. */
  readonly streamIds: readonly string[];
}

/** Read options the store refuses before reading: bounds that are not integers ≥ 1, or in the wrong order. */
export class InvalidReadError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly reason: string,
  ) {
    super(`Cannot read stream "${streamId}": ${reason}.`);
  }
}

/**
 * The command's idempotency key is stored already, by an append of its own: this append wrote nothing. `stored`
 * holds what that command answered; its fingerprint tells the same request from another one with the same key.
 */
export class IdempotencyKeyInUseError extends EventStoreError {
  constructor(
    readonly key: string,
    readonly stored: StoredIdempotencyKey,
    options?: ErrorOptions,
  ) {
    super(
      `Idempotency key "${key}" was used by a command stored at ${stored.recordedAt.toISOString()} ` +
        `(until ${stored.expiresAt.toISOString()}). Nothing was written.`,
      options,
    );
  }

  protected override get loggedOnOneLine(): boolean {
    return true;
  }
}
