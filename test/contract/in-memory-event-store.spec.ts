import { InMemoryEventStore } from '../../lib/index.js';
import { describeEventStoreContract, type StoreSettings } from './event-store.contract.js';
import { describeMultiStreamAppendContract } from './multi-stream-append.contract.js';

const startInMemoryStore = (settings?: StoreSettings) =>
  Promise.resolve({ store: new InMemoryEventStore(settings) });

describeEventStoreContract('the in-memory store', startInMemoryStore);
describeMultiStreamAppendContract('the in-memory store', startInMemoryStore);
