import type { Provider } from '@nestjs/common';
import { ProjectionCatalog } from './projection-catalog.js';
import { PROJECTION_SETTINGS, VIEW_STORE } from './projection-tokens.js';
import { Projections } from './projections.service.js';

/** What every root projections module provides besides its view store (VIEW_STORE) and settings. */
export const PROJECTIONS_CORE_PROVIDERS: Provider[] = [ProjectionCatalog, Projections];

/** What a root projections module exports to every module of the application. */
export const PROJECTIONS_CORE_EXPORTS = [
  VIEW_STORE,
  PROJECTION_SETTINGS,
  ProjectionCatalog,
  Projections,
];
