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
  /**
   * True for an event that reached the EventBus from the table's stream (DynamoProjectionsModule with
   * `redeliverToEventBus`), not from the save that stored it: the same event may then arrive more than once.
   */
  readonly redelivered?: boolean;
}

const envelopes = new WeakMap<IEvent, EventEnvelope>();

/**
 * The envelope of an event published on the EventBus, by a repository's save or a projections runner's redelivery:
 * its version, id, time and metadata. Event handlers receive the bare event; this is how they reach the rest.
 * (`history()` hands out envelopes itself.)
 */
export function getEventEnvelope<E extends IEvent>(event: E): EventEnvelope<E> | undefined {
  return envelopes.get(event) as EventEnvelope<E> | undefined;
}

export function attachEnvelope(envelope: EventEnvelope): EventEnvelope {
  envelopes.set(envelope.event, envelope);
  return envelope;
}
