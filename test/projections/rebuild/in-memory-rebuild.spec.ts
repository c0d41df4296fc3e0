import { InMemoryEventStore } from '../../../lib/index.js';
import { InMemoryViewStore } from '../../../lib/projections/index.js';
import { describeRebuild } from './rebuild.contract.js';

describeRebuild(
  'the in-memory stores',
  () => Promise.resolve({ events: new InMemoryEventStore(), views: new InMemoryViewStore() }),
  { streams: 500, eventsEach: 40 },
);
