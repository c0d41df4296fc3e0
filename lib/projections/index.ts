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
  type ProjectionHandler,
  type ViewUpdate,
} from './projection.js';
export {
  type ProcessingOutcome,
  ProjectionProcessor,
  type ProjectionProcessorOptions,
  ViewWriteConflictError,
} from './projection-processor.js';
