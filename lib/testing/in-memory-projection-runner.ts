import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { StoredEvent } from '../core/types.js';
import { InMemoryEventStore } from '../in-memory/in-memory-event-store.js';
import { Projections } from '../projections/nest/projections.service.js';

/**
 * Feeds the in-memory event store's appends to the projections, in order, as the stream runner feeds DynamoDB's:
 * the events already stored first, then each append once written. Applying trails the save, as it does on
 * DynamoDB; `settled()` waits for it.
 */
@Injectable()
export class InMemoryProjectionRunner implements OnModuleInit, OnApplicationShutdown {
  private applying: Promise<void> = Promise.resolve();
  private failures: Error[] = [];
  private subscription?: Subscription;

  constructor(
    private readonly store: InMemoryEventStore,
    private readonly projections: Projections,
  ) {}

  onModuleInit(): void {
    this.enqueue(this.store.allEvents());
    this.subscription = this.store.appended.subscribe((events) => this.enqueue(events));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /**
   * Resolves once every event appended so far is applied; rejects with the first error applying met since the last
   * call (a handler's error parks its event instead: see Projections.parked()).
   */
  async settled(): Promise<void> {
    await this.applying;
    const [failure] = this.failures;
    this.failures = [];
    if (failure !== undefined) throw failure;
  }

  private enqueue(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    this.applying = this.applying
      .then(() => this.projections.apply(events))
      .then(
        () => undefined,
        (error: unknown) => {
          this.failures.push(error instanceof Error ? error : new Error(String(error)));
        },
      );
  }
}
