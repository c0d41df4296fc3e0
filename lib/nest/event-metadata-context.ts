import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '../core/types.js';

interface Scope {
  readonly metadata: EventMetadata;
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * The metadata that events saved in the current asynchronous context are stored with: a correlation id shared by
 * everything one request led to, the id of the command being handled as causation id, and any keys added along the
 * way (a user id set by a guard, say). The module sets a scope around every command it sees on the CommandBus;
 * `CorrelationIdMiddleware` sets one around each HTTP request.
 */
export const EventMetadataContext = {
  /** The metadata of the current scope; empty outside any. */
  current(): EventMetadata {
    return scopes.getStore()?.metadata ?? {};
  },

  /** Runs `fn` in a scope that adds `metadata` to the current one. */
  run<R>(metadata: EventMetadata, fn: () => R): R {
    return scopes.run({ metadata: { ...EventMetadataContext.current(), ...metadata } }, fn);
  },

  /**
   * Runs a command's handling in a scope of its own: a new causation id (the command's), and the correlation id of
   * the scope it was sent from, or the command's own id when it starts a chain.
   */
  runCommand<R>(fn: () => R): R {
    const commandId = randomUUID();
    const { correlationId = commandId } = EventMetadataContext.current();
    return EventMetadataContext.run({ correlationId, causationId: commandId }, fn);
  },
};
