import type { Type } from '@nestjs/common';
import type { AggregateRoot, IEvent } from '@nestjs/cqrs';

/** One aggregate registered with DynamoEventStoreModule.forFeature(). */
export interface AggregateFeature<T extends AggregateRoot = AggregateRoot> {
  /** The aggregate class. Built with `new aggregate(id)` unless `create` is given. */
  readonly aggregate: Type<T>;
  /** Every event class the aggregate applies. Stored under, and read back by, the class name. */
  readonly events: readonly Type<IEvent>[];
  /**
   * The aggregate type stored in the table as the first part of each stream id. Default: the class name. Set it
   * explicitly to keep existing streams readable if the class is ever renamed.
   */
  readonly type?: string;
  /** Builds an empty aggregate for an id, before its history is applied. */
  readonly create?: (id: string) => T;
}
