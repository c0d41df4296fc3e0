import type { ViewUpdate } from './projection.js';
import type { ViewDocument } from './views/view-document.js';
import type { ViewIncrement } from './views/view-store.js';

/**
 * What the handlers of one write have done to a view: the stream's document as it now is, and the increments to
 * other documents. Each handler call works on an update of its own, kept only if the call succeeds, so that a
 * failed attempt leaves nothing behind.
 */
export class ViewChanges {
  private current: ViewDocument | undefined;
  private readonly added = new Map<string, Record<string, number>>();

  constructor(
    private readonly documentId: string,
    document: ViewDocument | undefined,
  ) {
    this.current = document;
  }

  get document(): ViewDocument | undefined {
    return this.current;
  }

  /** A fresh update for one handler call, over a copy of the document as it now is. */
  forEvent(): EventViewUpdate {
    return new EventViewUpdate(this.documentId, this.current && structuredClone(this.current));
  }

  keep(update: EventViewUpdate): void {
    this.current = update.document;
    for (const [id, deltas] of update.added) {
      const total = this.added.get(id) ?? {};
      for (const [field, delta] of Object.entries(deltas))
        total[field] = (total[field] ?? 0) + delta;
      this.added.set(id, total);
    }
  }

  increments(): ViewIncrement[] {
    return [...this.added.entries()].map(([id, deltas]) => ({ id, deltas }));
  }
}

export class EventViewUpdate implements ViewUpdate {
  readonly added = new Map<string, Record<string, number>>();

  constructor(
    private readonly documentId: string,
    public document: ViewDocument | undefined,
  ) {}

  set(document: ViewDocument): void {
    this.document = document;
  }

  delete(): void {
    this.document = undefined;
  }

  increment(documentId: string, deltas: Readonly<Record<string, number>>): void {
    // One write cannot both put a document and update it: an increment of the stream's own document goes into it.
    if (documentId === this.documentId) {
      const document: ViewDocument = { ...this.document };
      for (const [field, delta] of Object.entries(deltas)) {
        document[field] = ((document[field] as number | undefined) ?? 0) + delta;
      }
      this.document = document;
      return;
    }
    const total = this.added.get(documentId) ?? {};
    for (const [field, delta] of Object.entries(deltas)) total[field] = (total[field] ?? 0) + delta;
    this.added.set(documentId, total);
  }
}
