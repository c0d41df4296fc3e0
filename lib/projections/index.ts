export {
  createViewTable,
  DynamoViewStore,
  type DynamoViewStoreConfig,
} from './views/dynamodb-view-store.js';
export { InMemoryViewStore } from './views/in-memory-view-store.js';
export { type ViewDocument, ViewDocumentError } from './views/view-document.js';
export type {
  ParkedEvent,
  ViewDocumentState,
  ViewIncrement,
  ViewStore,
  ViewWrite,
} from './views/view-store.js';
export { VIEW_TABLE_ATTRIBUTES } from './views/view-table-layout.js';
export {
  aggregateDocumentId,
  type ProjectionDefinition,
  type ProjectionEventHandler,
  type ViewUpdate,
} from './projection.js';
export {
  type LiveViews,
  liveViewsOf,
  type ProjectionState,
  type RebuildMode,
  type RebuildPlan,
  viewOfGeneration,
} from './generations.js';
export {
  RebuildInProgressError,
  type RebuildOptions,
  type RebuildProgress,
  rebuildProjection,
} from './rebuild/projection-rebuild.js';
export {
  type ProcessingOutcome,
  ProjectionHandlerError,
  ProjectionProcessor,
  type ProjectionProcessorOptions,
  UnknownProjectionError,
  ViewWriteConflictError,
} from './projection-processor.js';
export { DynamoProjectionsModule } from './nest/dynamo-projections.module.js';
export {
  Projection,
  ProjectionHandler,
  type ProjectionOptions,
} from './nest/projection.decorator.js';
export type { ProjectionSettings } from './nest/projection-settings.js';
export {
  getViewRepositoryToken,
  InjectViewRepository,
  PROJECTION_SETTINGS,
  VIEW_STORE,
} from './nest/projection-tokens.js';
export { Projections } from './nest/projections.service.js';
export { storedEventsOf } from './stream-events.js';
export { ViewRepository } from './view-repository.js';
export type {
  DynamoProjectionsModuleOptions,
  DynamoProjectionsOptionsFactory,
} from './nest/dynamo-projections-options.js';
export { StreamRunnerHost } from './nest/stream-runner-host.js';
export { createLeaseTable, type CreateLeaseTableOptions } from './streams/create-lease-table.js';
export { LEASE_TABLE_ATTRIBUTES, SHARD_END, TRIM_HORIZON } from './streams/lease-table-layout.js';
export { StreamNotEnabledError, StreamRunnerOptionsError } from './streams/stream-errors.js';
export type {
  ShardRecords,
  ShardRecordsHandler,
  StreamRunnerLogger,
} from './streams/stream-records.js';
export type { StreamRunnerOptions, StreamRunnerStatus } from './streams/stream-runner.js';
