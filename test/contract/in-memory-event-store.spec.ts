import { InMemoryEventStore } from '../../lib/index.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('the in-memory store', () =>
  Promise.resolve({ store: new InMemoryEventStore() }),
);
