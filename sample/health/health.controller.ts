import { Controller, Get } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { EventStoreHealthIndicator } from 'nestjs-dynamo-es/health';

/** GET /health: 200 when the events table and the projections are up, 503 with the reasons when one is down. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventStore: EventStoreHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.eventStore.isHealthy('eventStore'),
      () => this.eventStore.projections('projections', { maxLagMs: 30_000, maxParked: 0 }),
    ]);
  }
}
