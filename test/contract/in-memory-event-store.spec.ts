import { InMemoryEventStore } from '../../lib/index.js';
import { describeEventStoreContract } from './event-store.contract.js';
import { describeMultiStreamAppendContract } from './multi-stream-append.contract.js';

const startInMemoryStore = () => Promise.resolve({ store: new InMemoryEventStore() });

describeEventStoreContract('the in-memory store', startInMemoryStore);
describeMultiStreamAppendContract('the in-memory store', startInMemoryStore);
