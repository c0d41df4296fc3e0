export * from './errors.js';
export type { EventStore } from './event-store.js';
export * from './limits.js';
export { parseStreamId, streamIdOf } from './stream-id.js';
export type * from './types.js';
