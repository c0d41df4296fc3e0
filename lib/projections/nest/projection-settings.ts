/** How projections run, for every store: set through DynamoProjectionsModule or InMemoryProjectionsModule. */
export interface ProjectionSettings {
  /** Attempts of a handler on one event, the first included, before the event is parked. Default 3. */
  readonly handlerAttempts?: number;
  /** Milliseconds before handler retry number `attempt`. Default 100 × 2^(attempt - 1). */
  readonly handlerBackoff?: (attempt: number) => number;
  /** Streams applied at once. Default 8. */
  readonly concurrency?: number;
  /** `park` (default) or `throw` an event whose handler keeps failing: see ProjectionProcessorOptions. */
  readonly handlerFailures?: 'park' | 'throw';
  /**
   * Reliable reactions: also publish every event read from the table's stream on the @nestjs/cqrs EventBus, so that
   * @EventsHandler()s and sagas receive the events of every instance, those whose publish after the save was lost
   * included. At least once: a handler also receives the local publish and may receive a redelivery twice; tell them
   * apart with `getEventEnvelope(event).redelivered`, dedupe by `eventId`. Default false.
   */
  readonly redeliverToEventBus?: boolean;
}
