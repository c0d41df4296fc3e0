import { InMemoryViewStore } from '../../../lib/projections/index.js';
import { describeViewStoreContract } from './view-store.contract.js';

describeViewStoreContract('the in-memory view store', () =>
  Promise.resolve({ store: new InMemoryViewStore() }),
);
