import type { Type } from '@nestjs/common';
import type { AggregateRoot, IEvent } from '@nestjs/cqrs';
import type { SnapshotOptions } from './snapshot-policy.js';

/** Turns a stored payload of one schema version into the payload of the next. */
export type Upcaster = (payload: never) => unknown;

/** An event class with the history of its stored form. */
export interface EventTypeOptions {
  readonly event: Type<IEvent>;
  /**
   * The name events of this class are stored under. Default: the class name. Event type names are unique in an
   * application: set this when two aggregates have event classes of the same name.
   */
  readonly name?: string;
  /** The schema version new events are stored with. Default 1. Raise it when the payload's shape changes. */
  readonly version?: number;
  /**
   * Upcasters by the version they read: `{ 1: v1 => v2, 2: v2 => v3 }`. A stored event is passed through each, in
   * order, up to `version`, on every read.
   */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  /** Names the event was stored under before its class was renamed. */
  readonly aliases?: readonly string[];
}

/** An event class, or an event class with its schema version, upcasters and former names. */
export type EventRegistration = Type<IEvent> | EventTypeOptions;

/** One aggregate registered with DynamoEventStoreModule.forFeature(). */
export interface AggregateFeature<T extends AggregateRoot = AggregateRoot> {
  /** The aggregate class. Built with `new aggregate(id)` unless `create` is given. */
  readonly aggregate: Type<T>;
  /** Every event class the aggregate applies. Stored under, and read back by, the class name (or `name`). */
  readonly events: readonly EventRegistration[];
  /**
   * The aggregate type stored in the table as the first part of each stream id. Default: the class name. Set it
   * explicitly to keep existing streams readable if the class is ever renamed.
   */
  readonly type?: string;
  /** Builds an empty aggregate for an id, before its history is applied. */
  readonly create?: (id: string) => T;
  /** Store the aggregate's state with some saves, so that a load is one request whatever the history's length. */
  readonly snapshot?: SnapshotOptions<T>;
}
