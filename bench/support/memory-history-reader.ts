import { streamIdOf } from 'nestjs-dynamo-es';
import { Account } from '../../sample/accounts/account.aggregate.js';
import { startAccountStore } from './account-store.js';
import { type PagedEventStream, pagedEventStream } from './memory-paged-event-stream.js';

const ACCOUNT_ID = '7d1c0b3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const TABLE_NAME = 'stubbed-events';
/** Unused: history() reads every event, snapshots or not. */
const SNAPSHOT_EVERY = 100;

export interface HistoryHooks {
  /** After each event, with the number received so far. */
  onEvent(received: number): void;
  /** Each time a page has arrived and been deserialised, before its events are emitted. */
  onPage(): void;
}

export interface HistoryReader {
  readonly stream: PagedEventStream;
  /** Reads the whole history through the sample's repository as a consumer would; resolves to the events received. */
  read(hooks: HistoryHooks): Promise<number>;
  close(): Promise<void>;
}

/** The sample's Account repository in a Nest application context, over a stubbed client serving one long stream. */
export async function startHistoryReader(events: number): Promise<HistoryReader> {
  const stream = pagedEventStream(streamIdOf(Account.name, ACCOUNT_ID), ACCOUNT_ID, events);
  let onPage = () => {};
  stream.client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      onPage();
      return result;
    },
    { step: 'initialize', name: 'pageArrived' },
  );
  const store = await startAccountStore(stream.client, TABLE_NAME, SNAPSHOT_EVERY);
  return {
    stream,
    async read(hooks) {
      onPage = () => hooks.onPage();
      let received = 0;
      try {
        await store.accounts.history(ACCOUNT_ID).forEach(() => hooks.onEvent(++received));
      } finally {
        onPage = () => {};
      }
      return received;
    },
    async close() {
      await store.close();
      stream.client.destroy();
    },
  };
}
