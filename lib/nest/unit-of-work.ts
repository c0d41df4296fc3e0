import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AggregateRoot } from '@nestjs/cqrs';
import { IdempotencyKeyInUseError } from '../core/errors.js';
import type { EventStore } from '../core/event-store.js';
import type { AppendResult, IdempotencyKeyToStore, StoredIdempotencyKey } from '../core/types.js';
import { type PreparedSave, repositoryOf, type SaveOptions } from './aggregate-repository.js';
import { AggregateNotLoadedError, IdempotencyKeyMismatchError } from './errors.js';
import { EVENT_STORE } from './event-store.token.js';
import { requestFingerprint } from './request-fingerprint.js';
import { sendAgainWhileUnknown } from './send-again-while-unknown.js';
import { TRACING } from './tracing.providers.js';
import { SPAN_ATTRIBUTES as SPAN } from '../telemetry/span-attributes.js';
import {
  NO_TRACING,
  type OperationSpan,
  type SpanAttributes,
  type Tracing,
} from '../telemetry/tracing.js';

/** How long a command's idempotency key holds, in seconds; provided by the root event-store modules. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = Symbol('IDEMPOTENCY_KEY_TTL_SECONDS');
export const DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 3600;

export interface UnitOfWorkOptions {
  /**
   * The command's idempotency key (set by the caller, or an HTTP request's Idempotency-Key header). A repeat of the
   * command with the key gets the first one's answer and writes nothing; another request with it is refused.
   */
  readonly idempotencyKey?: string;
  /** The command's request, whose fingerprint tells a repeat from another request with the same key. */
  readonly request?: unknown;
}

/** What a unit of work's decision saves: staged now, written together once the decision returns. */
export interface UnitOfWorkSaves {
  /**
   * Stages the aggregate's uncommitted events (loaded through any repository) for the unit's one write, and
   * returns the version the aggregate will be at once it is written.
   */
  save(aggregate: AggregateRoot, options?: SaveOptions): number;
}

type CompletedSave = ReturnType<PreparedSave['complete']>;

interface Staged {
  readonly aggregate: AggregateRoot;
  readonly prepared: PreparedSave;
}

/**
 * Saves several aggregates in one atomic write, and runs commands once per idempotency key. On DynamoDB the write is
 * one TransactWriteItems: every stream's events, conditioned on its version, and the command's idempotency key,
 * conditioned on being free; either all of it is stored or none. Events are published only once it is stored.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional()
    @Inject(IDEMPOTENCY_KEY_TTL_SECONDS)
    private readonly ttlSeconds: number = DEFAULT_IDEMPOTENCY_KEY_TTL_SECONDS,
    @Optional() @Inject(TRACING) private readonly tracing: Tracing = NO_TRACING,
  ) {}

  /**
   * Writes the aggregates' uncommitted events in one atomic write, then publishes them: a transfer between two
   * accounts is stored whole or not at all. A conflict on any stream is a ConcurrencyError naming it.
   */
  async saveAll(
    aggregates: readonly AggregateRoot[],
    options?: SaveOptions,
  ): Promise<AppendResult[]> {
    const completed = await this.tracing.inSpan('save unit-of-work', {}, async (span) => {
      const staged = aggregates.map((aggregate) => this.stage(aggregate, options));
      span.setAttributes(spanAttributesOf(staged));
      return this.write(staged, undefined);
    });
    return publishCompleted(completed);
  }

  /**
   * Runs a command's decision and writes what it saves (through `saves.save`) in one atomic write, with the
   * idempotency key if one is given, storing the decision's answer with it. A repeat with the same key and request
   * returns that stored answer and writes nothing; with another request it throws IdempotencyKeyMismatchError. The
   * answer should be JSON data: a repeat gets it back through JSON. Inside retryOnConflict, a conflict runs the
   * whole decision again.
   */
  async run<R>(
    options: UnitOfWorkOptions,
    decide: (saves: UnitOfWorkSaves) => Promise<R> | R,
  ): Promise<R> {
    const { answer, completed } = await this.tracing.inSpan('run unit-of-work', {}, (span) =>
      this.decideAndWrite(options, decide, span),
    );
    publishCompleted(completed);
    return answer;
  }

  private async decideAndWrite<R>(
    options: UnitOfWorkOptions,
    decide: (saves: UnitOfWorkSaves) => Promise<R> | R,
    span: OperationSpan,
  ): Promise<{ answer: R; completed: readonly CompletedSave[] }> {
    const { idempotencyKey } = options;
    const fingerprint =
      idempotencyKey === undefined ? undefined : requestFingerprint(options.request);
    if (idempotencyKey !== undefined) {
      const stored = await this.store.readIdempotencyKey(idempotencyKey);
      if (stored) {
        span.setAttributes({ [SPAN.answeredFromIdempotencyKey]: true });
        return { answer: answerOf<R>(stored, fingerprint!), completed: [] };
      }
    }
    const staged: Staged[] = [];
    const answer = await decide({
      save: (aggregate, saveOptions) => {
        const existing = staged.find((entry) => entry.aggregate === aggregate);
        const entry = this.stage(aggregate, saveOptions);
        if (existing) staged.splice(staged.indexOf(existing), 1, entry);
        else staged.push(entry);
        return entry.prepared.append.expectedVersion + entry.prepared.append.events.length;
      },
    });
    span.setAttributes(spanAttributesOf(staged));
    if (idempotencyKey === undefined) {
      return { answer, completed: await this.write(staged, undefined) };
    }
    try {
      const completed = await this.write(staged, {
        key: idempotencyKey,
        fingerprint: fingerprint!,
        result: answer,
        expiresAt: new Date(Date.now() + this.ttlSeconds * 1000),
      });
      return { answer, completed };
    } catch (error) {
      // The same key, stored by a request that ran at the same time: that request's answer is the answer.
      if (error instanceof IdempotencyKeyInUseError) {
        span.setAttributes({ [SPAN.answeredFromIdempotencyKey]: true });
        return { answer: answerOf<R>(error.stored, fingerprint!), completed: [] };
      }
      throw error;
    }
  }

  private stage(aggregate: AggregateRoot, options?: SaveOptions): Staged {
    const repository = repositoryOf(aggregate);
    if (!repository) throw new AggregateNotLoadedError(aggregate.constructor.name);
    return { aggregate, prepared: repository.prepareSave(aggregate, options) };
  }

  private async write(
    staged: readonly Staged[],
    idempotencyKey: IdempotencyKeyToStore | undefined,
  ): Promise<CompletedSave[]> {
    const changed = staged.filter(({ prepared }) => prepared.append.events.length > 0);
    let results: AppendResult[] = [];
    if (changed.length > 0 || idempotencyKey) {
      results = await sendAgainWhileUnknown(
        (retry) =>
          this.store.appendToStreams(
            changed.map(({ prepared }) => prepared.append),
            { retry, idempotencyKey },
          ),
        {
          mayBeStored: changed.some(({ prepared }) => prepared.mayBeStored),
          failed: (error) => changed.forEach(({ prepared }) => prepared.failed(error)),
        },
      );
    }
    return staged.map(({ prepared }) => {
      const index = changed.findIndex((entry) => entry.prepared === prepared);
      return prepared.complete(index < 0 ? prepared.unchanged : results[index]!);
    });
  }
}

/** Publishes each written aggregate's events, once the write's span has ended. */
function publishCompleted(completed: readonly CompletedSave[]): AppendResult[] {
  for (const saved of completed) saved.publish();
  return completed.map(({ result }) => result);
}

function spanAttributesOf(staged: readonly Staged[]): SpanAttributes {
  const changed = staged.filter(({ prepared }) => prepared.append.events.length > 0);
  return {
    [SPAN.streamIds]: changed.map(({ prepared }) => prepared.append.streamId),
    [SPAN.eventCount]: changed.reduce(
      (sum, { prepared }) => sum + prepared.append.events.length,
      0,
    ),
  };
}

function answerOf<R>(stored: StoredIdempotencyKey, fingerprint: string): R {
  if (stored.fingerprint !== fingerprint) {
    throw new IdempotencyKeyMismatchError(stored.key, stored.recordedAt);
  }
  return stored.result as R;
}
