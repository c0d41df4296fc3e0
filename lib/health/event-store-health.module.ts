import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventStoreHealthIndicator } from './event-store-health.indicator.js';

/**
 * Provides EventStoreHealthIndicator, for a module whose controller runs HealthCheckService (from TerminusModule).
 * Reaches the event store's and the projections' global providers: import it beside DynamoEventStoreModule (or
 * InMemoryEventStoreModule) and, for the projections check, a projections module.
 */
@Module({
  imports: [TerminusModule],
  providers: [EventStoreHealthIndicator],
  exports: [EventStoreHealthIndicator],
})
export class EventStoreHealthModule {}
