import type { ViewDocument } from './views/view-document.js';
import type { ViewStore } from './views/view-store.js';

/**
 * Reads one view: what a projection keeps, for queries. Documents trail the events by the time the runner takes to
 * apply them; `positionOf` tells how far a document is.
 */
export class ViewRepository<D extends ViewDocument = ViewDocument> {
  private readonly servedView: () => Promise<string>;

  /**
   * @param view the view reads are served from; in an application, a function giving the projection's served
   *   generation (the one a rebuild switched to, a second after the switch at most).
   */
  constructor(
    private readonly views: ViewStore,
    view: string | (() => Promise<string>),
  ) {
    this.servedView = typeof view === 'string' ? () => Promise.resolve(view) : view;
  }

  /** The document, strongly consistent; undefined if it has none (yet, or any more). */
  async get(id: string): Promise<D | undefined> {
    return (await this.views.read(await this.servedView(), id))?.document as D | undefined;
  }

  /** Every document of the view, in no particular order (on DynamoDB, a Scan of the views table). */
  async list(): Promise<D[]> {
    const documents: D[] = [];
    for await (const batch of this.views.list(await this.servedView())) {
      for (const { document } of batch) documents.push(document as D);
    }
    return documents;
  }

  /** The last version of the stream applied to the document; 0 if none. */
  async positionOf(id: string, streamId: string): Promise<number> {
    return (await this.views.read(await this.servedView(), id))?.positions[streamId] ?? 0;
  }
}
