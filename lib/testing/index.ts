export { InMemoryEventStore, type InMemoryEventStoreOptions } from '../in-memory/in-memory-event-store.js';
