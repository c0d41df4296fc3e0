import type { Type } from '@nestjs/common';
import type { AggregateRoot } from '@nestjs/cqrs';
import type { NewSnapshot, StoredSnapshot } from '../core/types.js';
import { AggregateConfigurationError } from './errors.js';

/** An aggregate that can hand out its state and take it back; the repository's default way to snapshot it. */
export interface SnapshotCapable<State = unknown> {
  toSnapshot(): State;
  restoreSnapshot(state: State): void;
}

/** What a custom policy decides on: a save taking the stream from one version to another. */
export interface SnapshotDecision {
  readonly fromVersion: number;
  readonly toVersion: number;
  /** The version of the snapshot the aggregate was loaded from or last saved with; 0 if none. */
  readonly snapshotVersion: number;
}

export interface SnapshotOptions<T extends AggregateRoot = AggregateRoot> {
  /** Write a snapshot with each save that takes the stream across a multiple of `every` events. */
  readonly every?: number;
  /** Or decide for each save. */
  readonly when?: (save: SnapshotDecision) => boolean;
  /**
   * How many items the one-Query load reads, newest first: the snapshot and the events after it. Default: `every`,
   * which always suffices for that policy; with `when`, 100. More events than this after the snapshot cost further
   * requests, never a wrong result.
   */
  readonly readLimit?: number;
  /** The schema version of the state. Raise it when the state's shape changes: older snapshots are then ignored. */
  readonly version?: number;
  /** The aggregate's state as plain data. Default: `aggregate.toSnapshot()`. */
  readonly take?: (aggregate: T) => unknown;
  /** Puts a state back into a new aggregate. Default: `aggregate.restoreSnapshot(state)`. */
  readonly restore?: (aggregate: T, state: unknown) => void;
}

const DEFAULT_READ_LIMIT_FOR_CUSTOM_POLICY = 100;

/** When to snapshot an aggregate, and how to take and restore its state. */
export class SnapshotPolicy<T extends AggregateRoot> {
  readonly readLimit: number;
  readonly schemaVersion: number;
  private readonly when: (save: SnapshotDecision) => boolean;
  private readonly take: (aggregate: T) => unknown;
  private readonly restore: (aggregate: T, state: unknown) => void;

  constructor(aggregateType: string, aggregate: Type<T>, options: SnapshotOptions<T>) {
    const fail = (problem: string) => {
      throw new AggregateConfigurationError(
        `The snapshot policy of "${aggregateType}" ${problem}.`,
      );
    };
    const { every, when, version = 1 } = options;
    if ((every === undefined) === (when === undefined))
      fail('needs exactly one of `every` and `when`');
    if (every !== undefined && (!Number.isSafeInteger(every) || every < 1)) {
      fail(`has every: ${every}; it must be a positive integer`);
    }
    if (
      options.readLimit !== undefined &&
      (!Number.isSafeInteger(options.readLimit) || options.readLimit < 1)
    ) {
      fail(`has readLimit: ${options.readLimit}; it must be a positive integer`);
    }
    if (!Number.isSafeInteger(version) || version < 1)
      fail(`has version ${version}; versions start at 1`);
    const prototype = aggregate.prototype as Partial<SnapshotCapable>;
    if (!options.take && typeof prototype.toSnapshot !== 'function') {
      fail('needs a `take` function, or a toSnapshot() method on the aggregate');
    }
    if (!options.restore && typeof prototype.restoreSnapshot !== 'function') {
      fail('needs a `restore` function, or a restoreSnapshot(state) method on the aggregate');
    }

    this.schemaVersion = version;
    this.readLimit = options.readLimit ?? every ?? DEFAULT_READ_LIMIT_FOR_CUSTOM_POLICY;
    this.when =
      when ??
      (({ fromVersion, toVersion }) =>
        Math.floor(toVersion / every!) > Math.floor(fromVersion / every!));
    this.take =
      options.take ?? ((aggregate) => (aggregate as unknown as SnapshotCapable).toSnapshot());
    this.restore =
      options.restore ??
      ((aggregate, state) => (aggregate as unknown as SnapshotCapable).restoreSnapshot(state));
  }

  shouldSnapshot(save: SnapshotDecision): boolean {
    return this.when(save);
  }

  snapshotOf(aggregate: T): NewSnapshot {
    return { state: this.take(aggregate), schemaVersion: this.schemaVersion };
  }

  /** Restores the snapshot into a new aggregate, or says why it cannot be. */
  restoreInto(aggregate: T, snapshot: StoredSnapshot): { restored: true } | { reason: string } {
    if (snapshot.schemaVersion !== this.schemaVersion) {
      return {
        reason: `its schema version ${snapshot.schemaVersion} is not the current ${this.schemaVersion}`,
      };
    }
    try {
      this.restore(aggregate, snapshot.state);
      return { restored: true };
    } catch (error) {
      return { reason: `restoring it threw: ${(error as Error).message}` };
    }
  }
}
