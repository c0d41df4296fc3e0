import { InMemoryEventStore } from '../../lib/index.js';
import { InMemoryViewStore } from '../../lib/projections/index.js';
import { describeProjectionProcessor } from './projection-processor.contract.js';

describeProjectionProcessor('the in-memory stores', () =>
  Promise.resolve({ events: new InMemoryEventStore(), views: new InMemoryViewStore() }),
);
