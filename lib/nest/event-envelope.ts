import type { IEvent } from '@nestjs/cqrs';
import type { EventMetadata } from '../core/types.js';

/** An event of an aggregate's history, as an instance of its class, with where and when it was stored. */
export interface EventEnvelope<E extends IEvent = IEvent> {
  readonly aggregateId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly event: E;
  readonly metadata: EventMetadata;
  readonly eventId: string;
  readonly recordedAt: Date;
}
