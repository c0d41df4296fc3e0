import { Injectable, type Type } from '@nestjs/common';
import type { IEvent } from '@nestjs/cqrs';
import { AggregateConfigurationError } from '../../nest/errors.js';
import {
  aggregateDocumentId,
  type ProjectionDefinition,
  type ProjectionEventHandler,
} from '../projection.js';

export interface ProjectionOptions {
  /** Stable: positions and parked events are kept under it. */
  readonly name: string;
  /** The view its documents live in. Default: the name. */
  readonly view?: string;
  /**
   * The document all events of a stream go to. Default: the stream's aggregate id. Return the same id for several
   * streams to keep one document over them (it keeps a position per stream).
   */
  readonly documentId?: (streamId: string) => string;
}

const optionsByClass = new WeakMap<object, Required<ProjectionOptions>>();
const handlersByClass = new WeakMap<object, Map<Type<IEvent>, string | symbol>>();

/**
 * Declares a projection: a Nest provider whose @ProjectionHandler() methods keep a view from the stored events.
 * Register it with DynamoProjectionsModule.forFeature([...]).
 */
export function Projection(nameOrOptions: string | ProjectionOptions): ClassDecorator {
  const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
  return (target) => {
    if (typeof options.name !== 'string' || options.name.length === 0) {
      throw new AggregateConfigurationError(
        `@Projection() on ${target.name} needs a non-empty name.`,
      );
    }
    optionsByClass.set(target, {
      name: options.name,
      view: options.view ?? options.name,
      documentId: options.documentId ?? aggregateDocumentId,
    });
    Injectable()(target);
  };
}

/** Marks a method of a @Projection() as the handler of these event classes: `(event, view, envelope)`. */
export function ProjectionHandler(...events: Type<IEvent>[]): MethodDecorator {
  return (prototype, method) => {
    const handlers =
      handlersByClass.get(prototype.constructor) ?? new Map<Type<IEvent>, string | symbol>();
    for (const event of events) {
      const existing = handlers.get(event);
      if (existing !== undefined && existing !== method) {
        throw new AggregateConfigurationError(
          `${prototype.constructor.name} handles ${event.name} twice: in ${String(existing)} and ${String(method)}.`,
        );
      }
      handlers.set(event, method);
    }
    handlersByClass.set(prototype.constructor, handlers);
  };
}

/** The projection a decorated provider instance runs. */
export function projectionDefinitionOf(instance: object): ProjectionDefinition {
  const projectionClass = instance.constructor;
  const options = optionsByClass.get(projectionClass);
  if (!options) {
    throw new AggregateConfigurationError(
      `${projectionClass.name} is registered as a projection but has no @Projection() decorator.`,
    );
  }
  const handlers = new Map<Type<IEvent>, ProjectionEventHandler>();
  for (const [event, method] of handlersByClass.get(projectionClass) ?? []) {
    const handler = (instance as Record<string | symbol, unknown>)[
      method
    ] as ProjectionEventHandler;
    handlers.set(event, (e, view, envelope) => handler.call(instance, e, view, envelope));
  }
  if (handlers.size === 0) {
    throw new AggregateConfigurationError(
      `Projection "${options.name}" (${projectionClass.name}) has no @ProjectionHandler() method.`,
    );
  }
  return { name: options.name, view: options.view, documentIdOf: options.documentId, handlers };
}

/** The name a projection class was declared with, for its ViewRepository. */
export function projectionNameOf(projectionClass: Type<object>): string {
  const options = optionsByClass.get(projectionClass);
  if (!options) {
    throw new AggregateConfigurationError(
      `${projectionClass.name} has no @Projection() decorator.`,
    );
  }
  return options.name;
}
