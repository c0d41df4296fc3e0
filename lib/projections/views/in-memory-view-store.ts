import { toStoredDocument, type ViewDocument, ViewDocumentError } from './view-document.js';
import type {
  ParkedEvent,
  StoredState,
  ViewDocumentState,
  ViewIncrement,
  ViewStore,
  ViewWrite,
} from './view-store.js';

interface StoredDocument {
  document?: ViewDocument;
  positions: Record<string, number>;
  parked: Record<string, number>;
  revision: number;
}

/**
 * The ViewStore in this process's memory, with the DynamoDB view store's semantics: documents are stored as their
 * normalised copies (the same checks and typed errors), every write is conditioned on the revision, increments
 * create what they add to, and reads hand out copies. For tests.
 */
export class InMemoryViewStore implements ViewStore {
  private readonly documents = new Map<string, StoredDocument>();
  private readonly parkedEvents = new Map<string, ParkedEvent>();
  private readonly states = new Map<string, StoredState<unknown>>();

  // Nothing below awaits: a write is checked and applied in one synchronous step, as DynamoDB applies one request.
  // eslint-disable-next-line @typescript-eslint/require-await
  async read(view: string, id: string): Promise<ViewDocumentState | undefined> {
    const stored = this.documents.get(keyOf(view, id));
    return stored && structuredClone(stored);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async write(change: ViewWrite): Promise<'written' | 'conflict'> {
    const key = keyOf(change.view, change.id);
    const current = this.documents.get(key);
    if ((current?.revision ?? 0) !== change.expectedRevision) return 'conflict';
    const document =
      change.document === null
        ? undefined
        : toStoredDocument(change.view, change.id, change.document);
    const increments = (change.increments ?? []).map((increment) =>
      this.incremented(change.view, increment),
    );

    this.documents.set(key, {
      document,
      positions: { ...change.positions },
      parked: { ...change.parked },
      revision: change.expectedRevision + 1,
    });
    for (const [incrementKey, incremented] of increments)
      this.documents.set(incrementKey, incremented);
    const { parkedEvent, unparkedStream } = change;
    if (parkedEvent) {
      this.parkedEvents.set(
        parkedKeyOf(change.view, change.id, parkedEvent.streamId),
        structuredClone(parkedEvent),
      );
    }
    if (unparkedStream !== undefined) {
      this.parkedEvents.delete(parkedKeyOf(change.view, change.id, unparkedStream));
    }
    return 'written';
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *list(view: string): AsyncGenerator<readonly { id: string; document: ViewDocument }[]> {
    const prefix = keyOf(view, '');
    const batch = [...this.documents.entries()]
      .filter(([key, stored]) => key.startsWith(prefix) && stored.document !== undefined)
      .map(([key, stored]) => ({
        id: key.slice(prefix.length),
        document: structuredClone(stored.document!),
      }));
    if (batch.length > 0) yield batch;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async listParked(projection?: string): Promise<ParkedEvent[]> {
    return [...this.parkedEvents.values()]
      .filter((parked) => projection === undefined || parked.projection === projection)
      .map((parked) => structuredClone(parked));
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async readStates<T>(keys: readonly string[]): Promise<Map<string, StoredState<T>>> {
    const found = new Map<string, StoredState<T>>();
    for (const key of keys) {
      const state = this.states.get(key);
      if (state) found.set(key, structuredClone(state) as StoredState<T>);
    }
    return found;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async writeState<T>(
    key: string,
    value: T,
    expectedRevision: number,
  ): Promise<'written' | 'conflict'> {
    if ((this.states.get(key)?.revision ?? 0) !== expectedRevision) return 'conflict';
    this.states.set(key, { value: structuredClone(value), revision: expectedRevision + 1 });
    return 'written';
  }

  /** Forgets every document, parked stream and state. */
  clear(): void {
    this.documents.clear();
    this.parkedEvents.clear();
    this.states.clear();
  }

  private incremented(view: string, { id, deltas }: ViewIncrement): [string, StoredDocument] {
    const key = keyOf(view, id);
    const current = this.documents.get(key);
    const document: ViewDocument = { ...current?.document };
    for (const [field, delta] of Object.entries(deltas)) {
      const value = document[field] ?? 0;
      if (typeof value !== 'number') {
        throw new ViewDocumentError(
          view,
          id,
          `field "${field}" is not a number, so it cannot be added to`,
        );
      }
      document[field] = value + delta;
    }
    return [
      key,
      {
        document: toStoredDocument(view, id, document),
        positions: { ...current?.positions },
        parked: { ...current?.parked },
        revision: (current?.revision ?? 0) + 1,
      },
    ];
  }
}

function keyOf(view: string, id: string): string {
  return `${view}#${id}`;
}

function parkedKeyOf(view: string, documentId: string, streamId: string): string {
  return `${view}#${documentId}#${streamId}`;
}
