import { deepStrictEqual } from 'node:assert';
import { inspect } from 'node:util';
import type { Type } from '@nestjs/common';
import type { AggregateRoot, IEvent } from '@nestjs/cqrs';
import { decodeJson, encodeJson } from '../dynamodb/codec.js';
import { EventTypeRegistry } from '../nest/event-type-registry.js';
import { assertErrorMatches, type ExpectedError, scenarioFailure } from './scenario-assertions.js';

/** What a scenario does to the aggregate: call one of its methods. */
export type AggregateAction<T> = (aggregate: T) => unknown;

/**
 * Given / when / then for one aggregate, with no store and no Nest: given its past events, when a method is called,
 * then exactly these events are applied, or this error is thrown.
 *
 * The given events reach the aggregate as they would from the store, through a JSON round trip (a `Date` field
 * arrives as a string), and each applied event must be storable, so that a test fails where a save would.
 */
export function aggregateScenario<T extends AggregateRoot>(
  aggregate: Type<T> | (() => T),
  id?: string,
): AggregateGiven<T> {
  const create = id === undefined ? (aggregate as () => T) : () => new (aggregate as Type<T>)(id);
  return new AggregateGiven(create, []);
}

export class AggregateGiven<T extends AggregateRoot> {
  constructor(
    private readonly create: () => T,
    private readonly history: readonly IEvent[],
  ) {}

  /** Events the aggregate's stream already holds, oldest first. */
  given(...events: IEvent[]): AggregateGiven<T> {
    return new AggregateGiven(this.create, [...this.history, ...events]);
  }

  when(action: AggregateAction<T>): AggregateWhen<T> {
    return new AggregateWhen(this.create, this.history, action);
  }
}

export class AggregateWhen<T extends AggregateRoot> {
  constructor(
    private readonly create: () => T,
    private readonly history: readonly IEvent[],
    private readonly action: AggregateAction<T>,
  ) {}

  /** Asserts that the action applied exactly these events, in order (none: nothing); resolves to the aggregate. */
  async thenApplied(...expected: IEvent[]): Promise<T> {
    const { aggregate, error } = await this.run();
    if (error !== undefined) {
      throw scenarioFailure(
        `Expected events to be applied, but the action threw: ${inspect(error)}`,
      );
    }
    const applied = [...aggregate.getUncommittedEvents()];
    // What a save would refuse, the scenario refuses too: it throws the save's EventSerializationError.
    for (const event of applied)
      encodeJson(event, '(aggregate scenario)', classNameOf(event), 'payload');
    deepStrictEqual(applied, expected, 'The events applied are not the ones expected');
    return aggregate;
  }

  /** Asserts that the action threw (an error like `expected`, if given); resolves to the error. */
  async thenThrows(expected?: ExpectedError): Promise<unknown> {
    const { error, threw } = await this.run();
    if (!threw) {
      throw scenarioFailure('Expected the action to throw, but it did not');
    }
    assertErrorMatches(error, expected);
    return error;
  }

  private async run(): Promise<{ aggregate: T; error?: unknown; threw: boolean }> {
    const aggregate = this.create();
    aggregate.loadFromHistory(this.history.map(asStored));
    try {
      await this.action(aggregate);
      return { aggregate, threw: false };
    } catch (error) {
      return { aggregate, error, threw: true };
    }
  }
}

function classNameOf(event: IEvent): string {
  return (Object.getPrototypeOf(event) as { constructor: { name: string } }).constructor.name;
}

/** The event as a load would give it: stored as JSON, read back as an instance of its class. */
function asStored(event: IEvent, index: number): IEvent {
  const registry = new EventTypeRegistry();
  const eventClass = (Object.getPrototypeOf(event) as { constructor: Type<IEvent> }).constructor;
  const [eventType] = registry.register('(scenario)', [eventClass]);
  const json = encodeJson(event, '(aggregate scenario)', eventType!.name, 'payload');
  return registry.toEvent('(aggregate scenario)', {
    version: index + 1,
    type: eventType!.name,
    schemaVersion: 1,
    payload: decodeJson(json),
  });
}
