import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { EventMetadataContext } from './event-metadata-context.js';

/** Whether commands run in a metadata scope of their own (the module option `commandMetadata`). */
export const COMMAND_METADATA_ENABLED = Symbol('CommandMetadataEnabled');

const TRACKED = Symbol('nestjs-dynamo-es: command metadata');

/**
 * Makes every command sent on any CommandBus run in its own metadata scope, so the events its handler saves carry
 * the command's id as causation id and the originating request's correlation id, with no code in the handler.
 * @nestjs/cqrs has no middleware for commands, and every module that imports CqrsModule gets a bus of its own, so
 * each bus the application holds has its `execute` wrapped, once.
 */
@Injectable()
export class CommandMetadataTracker implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(COMMAND_METADATA_ENABLED) private readonly enabled: boolean,
  ) {}

  onModuleInit(): void {
    if (!this.enabled) return;
    for (const { instance } of this.discovery.getProviders()) {
      if (instance instanceof CommandBus) trackCommandMetadata(instance as CommandBus);
    }
  }
}

function trackCommandMetadata(commandBus: CommandBus): void {
  const bus = commandBus as CommandBus & { [TRACKED]?: true };
  if (bus[TRACKED]) return;
  const execute = bus.execute.bind(bus) as (...args: unknown[]) => Promise<unknown>;
  bus.execute = (...args: unknown[]) => EventMetadataContext.runCommand(() => execute(...args));
  bus[TRACKED] = true;
}
