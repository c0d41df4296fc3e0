export { EventStoreHealthIndicator } from './event-store-health.indicator.js';
export { EventStoreHealthModule } from './event-store-health.module.js';
export type { EventsTableHealthOptions, ProjectionsHealthOptions } from './health-options.js';
export type { ProjectionHealth, ProjectionsHealth, RebuildHealth } from './projections-health.js';
