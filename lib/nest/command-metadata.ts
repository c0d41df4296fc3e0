import type { CommandBus } from '@nestjs/cqrs';
import { EventMetadataContext } from './event-metadata-context.js';

const WRAPPED = Symbol('nestjs-dynamo-es: command metadata');

/**
 * Makes every command sent on the bus run in its own metadata scope, so the events its handler saves carry the
 * command's id as causation id and the originating request's correlation id, with no code in the handler.
 * @nestjs/cqrs has no middleware for commands: this wraps the bus's `execute`, once.
 */
export function trackCommandMetadata(commandBus: CommandBus): void {
  const bus = commandBus as CommandBus & { [WRAPPED]?: true };
  if (bus[WRAPPED]) return;
  const execute = bus.execute.bind(bus) as (...args: unknown[]) => Promise<unknown>;
  bus.execute = (...args: unknown[]) => EventMetadataContext.runCommand(() => execute(...args));
  bus[WRAPPED] = true;
}
