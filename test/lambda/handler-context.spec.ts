import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventStoreModule, streamIdOf } from '../../lib/index.js';
import {
  createProjectionsHandler,
  ProjectionsHandlerSettingsError,
} from '../../lib/lambda/index.js';
import { createLeaseTable } from '../../lib/projections/index.js';
import { testClientConfig } from '../support/dynamodb.js';
import { Balances, FEATURES, opened } from './support/balances-projection.js';
import { type LambdaFixture, lambdaFixture } from './support/lambda-fixture.js';

let fx: LambdaFixture;

beforeEach(async () => {
  fx = await lambdaFixture();
});
afterEach(() => {
  fx.close();
  jest.restoreAllMocks();
});

describe('the application context of createProjectionsHandler', () => {
  it('is created once, on the first invocation, and kept for the next ones', async () => {
    const id = randomUUID();
    await fx.store.appendToStream(streamIdOf('BankAccount', id), 0, [opened(id, 'Ada')]);
    const event = fx.lambdaEvent(await fx.streamRecords());
    const module = fx.lambdaModule({ features: FEATURES, projections: [Balances] });
    const created = jest.spyOn(NestFactory, 'createApplicationContext');
    let factoryCalls = 0;
    const fromFactory = createProjectionsHandler(() => {
      factoryCalls++;
      return NestFactory.createApplicationContext(module, { logger: false });
    });
    const fromModule = createProjectionsHandler(module, { contextOptions: { logger: false } });

    expect(created).not.toHaveBeenCalled();
    for (let invocation = 0; invocation < 3; invocation++) {
      await fromFactory(event);
      await fromModule(event);
    }

    expect(factoryCalls).toBe(1);
    expect(created).toHaveBeenCalledTimes(2);
  });

  it('is created again by the next invocation when creating it failed', async () => {
    const module = fx.lambdaModule({ features: FEATURES, projections: [Balances] });
    let attempts = 0;
    const handler = createProjectionsHandler(async () => {
      attempts++;
      if (attempts === 1) throw new Error('the configuration could not be read');
      return NestFactory.createApplicationContext(module, { logger: false });
    });

    await expect(handler({ Records: [] })).rejects.toThrow('the configuration could not be read');
    expect(await handler({ Records: [] })).toEqual({ batchItemFailures: [] });
    expect(attempts).toBe(2);
  });

  it('refuses an application without projections, and a context made by a function with a runner, naming the fix', async () => {
    @Module({
      imports: [
        CqrsModule.forRoot(),
        DynamoEventStoreModule.forRoot({ tableName: fx.eventsTable, client: fx.client }),
      ],
    })
    class NoProjectionsModule {}
    const leaseTable = `leases-${randomUUID()}`;
    await createLeaseTable(fx.client, leaseTable);
    const withRunner = fx.lambdaModule({
      features: FEATURES,
      projections: [Balances],
      projectionsOptions: {
        runner: true,
        leaseTable,
        idleDelayMs: 50,
        streamsClientConfig: testClientConfig(),
      },
    });
    let close: jest.SpiedFunction<() => Promise<void>> | undefined;

    const noProjections = createProjectionsHandler(NoProjectionsModule, {
      contextOptions: { logger: false },
    })({ Records: [] });
    // A context made by the application itself is checked once made: its runner has started, and is stopped.
    const fromFactory = createProjectionsHandler(async () => {
      const context = await NestFactory.createApplicationContext(withRunner, { logger: false });
      close = jest.spyOn(context, 'close');
      return context;
    })({ Records: [] });

    await expect(noProjections).rejects.toMatchObject({ setting: 'projections' });
    await expect(noProjections).rejects.toThrow(/DynamoProjectionsModule\.forRoot/);
    await expect(fromFactory).rejects.toMatchObject({ setting: 'runner' });
    expect(close).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a stream runner (runner left true)', { runner: true }, 'runner'],
    ['redeliverToEventBus', { redeliverToEventBus: true }, 'redeliverToEventBus'],
  ] as const)(
    'refuses %s before anything runs, naming the setting to change',
    async (_, projectionsOptions, setting) => {
      const handler = createProjectionsHandler(
        fx.lambdaModule({ features: FEATURES, projections: [Balances], projectionsOptions }),
        { contextOptions: { logger: false } },
      );

      const failure = handler({ Records: [] });

      // No lease table is set: a runner that started would have failed differently, on bootstrap.
      await expect(failure).rejects.toThrow(ProjectionsHandlerSettingsError);
      await expect(failure).rejects.toMatchObject({ setting });
      await expect(failure).rejects.toThrow(new RegExp(setting));
    },
  );
});
