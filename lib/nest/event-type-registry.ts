import type { Type } from '@nestjs/common';
import type { IEvent } from '@nestjs/cqrs';
import { parseStreamId } from '../core/stream-id.js';
import type { EventData, NewEvent, StoredEvent } from '../core/types.js';
import type { EventRegistration, EventTypeOptions, Upcaster } from './aggregate-feature.js';
import type { EventEnvelope } from './event-envelope.js';
import {
  AggregateConfigurationError,
  UnknownEventTypeError,
  UnsupportedEventVersionError,
} from './errors.js';

/** An event class as the application stores it. */
export interface RegisteredEventType {
  /** The name it is stored under. */
  readonly name: string;
  readonly eventClass: Type<IEvent>;
  /** The schema version new events are stored with. */
  readonly version: number;
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  /** Former names it is also read from. */
  readonly aliases: readonly string[];
}

/**
 * Every event class of the application, from every forFeature(), with their stored names, former names and
 * upcasters: the one place that turns an event into what is stored, and a stored event back into an instance of its
 * class. @nestjs/cqrs routes events by class, so an event read back must be an instance of it.
 */
export class EventTypeRegistry {
  /** By stored name: current names and former ones. */
  private readonly byName = new Map<string, RegisteredEventType>();
  private readonly byClass = new Map<Type<IEvent>, RegisteredEventType>();
  /** Who registered each class, for messages. */
  private readonly owners = new Map<Type<IEvent>, string>();

  /**
   * Adds the event classes of one aggregate (`owner`, for messages). A class registered again, by another aggregate,
   * must have the same stored name and version; its former names and upcasters are merged.
   */
  register(owner: string, registrations: readonly EventRegistration[]): RegisteredEventType[] {
    return registrations.map((registration) => {
      const options: EventTypeOptions =
        typeof registration === 'function' ? { event: registration } : registration;
      const eventType = this.merged(owner, validated(owner, options));
      this.byClass.set(eventType.eventClass, eventType);
      this.owners.set(eventType.eventClass, this.owners.get(eventType.eventClass) ?? owner);
      for (const name of [eventType.name, ...eventType.aliases])
        this.addName(owner, name, eventType);
      return eventType;
    });
  }

  /** The registered type of an event instance, by its class (not by anything in its fields). */
  typeOf(event: IEvent): RegisteredEventType | undefined {
    const prototype: unknown =
      typeof event === 'object' && event !== null ? Object.getPrototypeOf(event) : null;
    const eventClass = (prototype as { constructor?: Type<IEvent> } | null)?.constructor;
    return eventClass && this.byClass.get(eventClass);
  }

  /** The registered type a stored type name answers to: the current name or a former one. */
  typeNamed(storedType: string): RegisteredEventType | undefined {
    return this.byName.get(storedType);
  }

  /** What to append for an event of a registered class: its stored name, schema version and fields. */
  toNewEvent(event: IEvent, eventType: RegisteredEventType): NewEvent {
    return { type: eventType.name, payload: event, schemaVersion: eventType.version };
  }

  /**
   * The stored event as an instance of its class, upcast to the current schema, without running its constructor.
   * Its fields are defined as they were stored, so that no key of the payload (`__proto__`, `constructor`) can
   * change what the instance is.
   */
  toEvent(
    streamId: string,
    stored: EventData,
    eventType: RegisteredEventType | undefined = this.typeNamed(stored.type),
  ): IEvent {
    if (!eventType) throw new UnknownEventTypeError(streamId, stored.type, stored.version);
    const payload = upcast(streamId, stored, eventType);
    const prototype = eventType.eventClass.prototype as object;
    const event = Object.create(prototype) as Record<string, unknown>;
    if (typeof payload === 'object' && payload !== null) {
      // Assigned where that defines the same properties as defining them does, a third of the cost per event.
      if (takesAssignment(prototype) && !Object.hasOwn(payload, '__proto__')) {
        return Object.assign(event, payload);
      }
      for (const key of Object.keys(payload)) {
        Object.defineProperty(event, key, {
          value: (payload as Record<string, unknown>)[key],
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
    }
    return event;
  }

  /** The stored event as its class instance, with where and when it was stored. */
  toEnvelope(
    stored: StoredEvent,
    eventType: RegisteredEventType | undefined = this.typeNamed(stored.type),
    { redelivered }: { readonly redelivered?: boolean } = {},
  ): EventEnvelope {
    if (!eventType) throw new UnknownEventTypeError(stored.streamId, stored.type, stored.version);
    const event = this.toEvent(stored.streamId, stored, eventType);
    return {
      aggregateId: parseStreamId(stored.streamId)?.aggregateId ?? stored.streamId,
      streamId: stored.streamId,
      version: stored.version,
      // The current name, also when the event was stored under a former one.
      type: eventType.name,
      event,
      metadata: stored.metadata,
      eventId: stored.eventId,
      recordedAt: stored.recordedAt,
      ...(redelivered ? { redelivered } : {}),
    };
  }

  private merged(owner: string, eventType: RegisteredEventType): RegisteredEventType {
    const known = this.byClass.get(eventType.eventClass);
    if (!known) return eventType;
    const className = eventType.eventClass.name;
    const conflict = (what: string) =>
      new AggregateConfigurationError(
        `Event class "${className}" is registered by "${this.owners.get(eventType.eventClass)}" and by ` +
          `"${owner}" with ${what}: register it the same way in both forFeature() entries.`,
      );
    if (known.name !== eventType.name) {
      throw conflict(`two stored names, "${known.name}" and "${eventType.name}"`);
    }
    if (known.version !== eventType.version) {
      throw conflict(`two versions, ${known.version} and ${eventType.version}`);
    }
    const upcasters = { ...known.upcasters };
    for (const [from, upcaster] of Object.entries(eventType.upcasters)) {
      const existing = upcasters[Number(from)];
      if (existing && existing !== upcaster) throw conflict(`two upcasters from version ${from}`);
      upcasters[Number(from)] = upcaster;
    }
    return {
      ...known,
      upcasters,
      aliases: [...new Set([...known.aliases, ...eventType.aliases])],
    };
  }

  private addName(owner: string, name: string, eventType: RegisteredEventType): void {
    const registered = this.byName.get(name);
    if (registered && registered.eventClass !== eventType.eventClass) {
      throw new AggregateConfigurationError(
        `Two different event classes are stored under the name "${name}": one registered by ` +
          `"${this.owners.get(registered.eventClass)}", one by "${owner}". Event type names are unique in an ` +
          'application: give one of them another name with `{ event, name }` in forFeature().',
      );
    }
    this.byName.set(name, eventType);
  }
}

function validated(
  owner: string,
  { event, name, version = 1, upcasters = {}, aliases = [] }: EventTypeOptions,
): RegisteredEventType {
  if (typeof event !== 'function' || !event.name) {
    throw new AggregateConfigurationError(
      `The events of aggregate "${owner}" must be named classes; got ${String(event)}.`,
    );
  }
  const storedName = name ?? event.name;
  if (typeof storedName !== 'string' || storedName.length === 0) {
    throw new AggregateConfigurationError(
      `Event "${event.name}" of "${owner}" has name ${String(name)}; it must be a non-empty string.`,
    );
  }
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new AggregateConfigurationError(
      `Event "${event.name}" of "${owner}" has version ${version}; versions start at 1.`,
    );
  }
  for (const from of Object.keys(upcasters).map(Number)) {
    if (!Number.isSafeInteger(from) || from < 1 || from >= version) {
      throw new AggregateConfigurationError(
        `Event "${event.name}" of "${owner}" is at version ${version}, so it can have upcasters ` +
          `from versions 1 to ${version - 1}; one is registered from version ${from}.`,
      );
    }
  }
  return { name: storedName, eventClass: event, version, upcasters, aliases };
}

const assignable = new WeakMap<object, boolean>();

/**
 * Whether assigning any key to an instance made from `prototype` defines an own data property, as
 * Object.defineProperty does: true unless its prototype chain has an accessor or a read-only property (other than
 * Object.prototype's `__proto__`, whose key the caller checks), which assignment would call or fail on.
 */
function takesAssignment(prototype: object): boolean {
  let known = assignable.get(prototype);
  if (known === undefined) {
    known = true;
    for (
      let p: object | null = prototype;
      p && known;
      p = Object.getPrototypeOf(p) as object | null
    ) {
      for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
        if (key === '__proto__' && p === Object.prototype) continue;
        if (descriptor.get || descriptor.set || descriptor.writable === false) known = false;
      }
    }
    assignable.set(prototype, known);
  }
  return known;
}

function upcast(
  streamId: string,
  stored: EventData,
  { version, upcasters }: RegisteredEventType,
): unknown {
  if (stored.schemaVersion > version) {
    throw new UnsupportedEventVersionError(
      streamId,
      stored.type,
      stored.schemaVersion,
      `this code knows versions up to ${version}; was it written by a newer release?`,
    );
  }
  let payload = stored.payload;
  for (let from = stored.schemaVersion; from < version; from++) {
    const upcaster = upcasters[from];
    if (!upcaster) {
      throw new UnsupportedEventVersionError(
        streamId,
        stored.type,
        stored.schemaVersion,
        `no upcaster is registered from version ${from} to ${from + 1}`,
      );
    }
    payload = upcaster(payload as never);
  }
  return payload;
}
