import { deepStrictEqual } from 'node:assert';
import type { Type } from '@nestjs/common';
import { type AggregateRoot, CommandBus, EventBus, type ICommand, type IEvent } from '@nestjs/cqrs';
import { InMemoryEventStore } from '../in-memory/in-memory-event-store.js';
import type { AggregateRepository } from '../nest/aggregate-repository.js';
import { getAggregateRepositoryToken } from '../nest/aggregate-repository.token.js';
import { EventTypeRegistry } from '../nest/event-type-registry.js';
import { assertErrorMatches, type ExpectedError, scenarioFailure } from './scenario-assertions.js';

/** What a command scenario needs of a Nest application: a TestingModule or any application context. */
export interface ScenarioApplication {
  get<T>(token: Type<T> | symbol, options: { strict: false }): T;
}

interface GivenStream {
  readonly aggregate: Type<AggregateRoot>;
  readonly id: string;
  readonly events: readonly IEvent[];
}

/**
 * Given / when / then for a command handler, through Nest: given events stored in the in-memory store, when a
 * command is executed on the CommandBus, then exactly these events are stored, in one stream, and published on the
 * EventBus; or this error is thrown and nothing is stored or published. The application must use
 * InMemoryEventStoreModule.forRoot() and CqrsModule.forRoot(), and have been initialised (`await app.init()`).
 */
export function commandScenario(app: ScenarioApplication): CommandGiven {
  return new CommandGiven(app, []);
}

export class CommandGiven {
  constructor(
    private readonly app: ScenarioApplication,
    private readonly streams: readonly GivenStream[],
  ) {}

  /** Events the stream of aggregate `id` already holds, oldest first; stored, not published. */
  given<T extends AggregateRoot>(
    aggregate: Type<T>,
    id: string,
    ...events: IEvent[]
  ): CommandGiven {
    return new CommandGiven(this.app, [...this.streams, { aggregate, id, events }]);
  }

  when(command: ICommand): CommandWhen {
    return new CommandWhen(this.app, this.streams, command);
  }
}

interface Outcome {
  readonly result?: unknown;
  readonly error?: unknown;
  readonly threw: boolean;
  /** The events the command stored, by stream, as instances of their classes. */
  readonly stored: ReadonlyMap<string, IEvent[]>;
  readonly published: readonly IEvent[];
}

export class CommandWhen {
  constructor(
    private readonly app: ScenarioApplication,
    private readonly streams: readonly GivenStream[],
    private readonly command: ICommand,
  ) {}

  /**
   * Asserts that the command stored exactly these events in the stream of aggregate `id` (none: nothing anywhere)
   * and published the same; resolves to the command's result.
   */
  async thenStored<T extends AggregateRoot>(
    aggregate: Type<T>,
    id: string,
    ...expected: IEvent[]
  ): Promise<unknown> {
    const outcome = await this.run();
    if (outcome.threw) {
      throw scenarioFailure(
        `Expected the command to store events, but it threw: ${String(outcome.error)}`,
      );
    }
    const streamId = this.repository(aggregate).streamIdOf(id);
    const elsewhere = [...outcome.stored.keys()].filter((stream) => stream !== streamId);
    if (elsewhere.length > 0) {
      throw scenarioFailure(
        `Expected events in stream "${streamId}" only, but the command also stored events in ${elsewhere.map((s) => `"${s}"`).join(', ')}`,
      );
    }
    deepStrictEqual(
      outcome.stored.get(streamId) ?? [],
      expected,
      `The events stored in "${streamId}" are not the ones expected`,
    );
    deepStrictEqual(outcome.published, expected, 'The events published are not the ones expected');
    return outcome.result;
  }

  /** Asserts that the command threw (an error like `expected`, if given) and stored and published nothing. */
  async thenThrows(expected?: ExpectedError): Promise<unknown> {
    const outcome = await this.run();
    if (!outcome.threw) {
      throw scenarioFailure('Expected the command to throw, but it did not');
    }
    assertErrorMatches(outcome.error, expected);
    const storedCount = [...outcome.stored.values()].reduce(
      (sum, events) => sum + events.length,
      0,
    );
    if (storedCount > 0 || outcome.published.length > 0) {
      throw scenarioFailure(
        `The command threw, yet stored ${storedCount} and published ${outcome.published.length} events`,
      );
    }
    return outcome.error;
  }

  private async run(): Promise<Outcome> {
    const store = this.store();
    const registry = this.app.get(EventTypeRegistry, { strict: false });
    for (const { aggregate, id, events } of this.streams) {
      const streamId = this.repository(aggregate).streamIdOf(id);
      const newEvents = events.map((event) => {
        const eventType = registry.typeOf(event);
        if (!eventType) {
          const { name } = (Object.getPrototypeOf(event) as { constructor: Type<IEvent> })
            .constructor;
          throw scenarioFailure(
            `The given event "${name}" is not a registered event class: add it to the events of ` +
              `${aggregate.name} in DynamoEventStoreModule.forFeature()`,
          );
        }
        return registry.toNewEvent(event, eventType);
      });
      await store.appendToStream(streamId, await store.readStreamVersion(streamId), newEvents);
    }

    const before = store.allEvents().length;
    const published: IEvent[] = [];
    const subscription = this.app.get(EventBus, { strict: false }).subscribe((event) => {
      published.push(event);
    });
    let outcome: Pick<Outcome, 'result' | 'error' | 'threw'>;
    try {
      outcome = {
        result: await this.app.get(CommandBus, { strict: false }).execute(this.command),
        threw: false,
      };
    } catch (error) {
      outcome = { error, threw: true };
    } finally {
      subscription.unsubscribe();
    }
    const stored = new Map<string, IEvent[]>();
    for (const event of store.allEvents().slice(before)) {
      const events = stored.get(event.streamId) ?? [];
      events.push(registry.toEvent(event.streamId, event));
      stored.set(event.streamId, events);
    }
    return { ...outcome, stored, published };
  }

  private store(): InMemoryEventStore {
    try {
      return this.app.get(InMemoryEventStore, { strict: false });
    } catch (error) {
      throw scenarioFailure(
        'commandScenario needs the in-memory store: import InMemoryEventStoreModule.forRoot() ' +
          `in the testing module (${(error as Error).message})`,
      );
    }
  }

  private repository(aggregate: Type<AggregateRoot>): AggregateRepository<AggregateRoot> {
    return this.app.get(getAggregateRepositoryToken(aggregate), { strict: false });
  }
}
