import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { ProjectionSettings } from '../projections/nest/projection-settings.js';
import { PROJECTION_SETTINGS } from '../projections/nest/projection-tokens.js';
import { Projections } from '../projections/nest/projections.service.js';
import { StreamRunnerHost } from '../projections/nest/stream-runner-host.js';
import {
  applyDynamoDBStreamEvent,
  type BatchOrdering,
  type ProjectionsHandlerLogger,
} from './apply-stream-event.js';
import { checkLambdaSettings, LambdaSettingsCheck } from './lambda-settings.js';

/**
 * The application the function runs: its Lambda module (a class decorated with @Module(), or a dynamic module),
 * which imports DynamoEventStoreModule.forRoot(), DynamoProjectionsModule.forRoot({ viewsTable, runner: false })
 * and the feature modules of its projections; or a function that creates the application context itself.
 */
export type ProjectionsApplication =
  Type<unknown> | DynamicModule | (() => Promise<INestApplicationContext>);

/** NestFactory.createApplicationContext's options (logger, bufferLogs, …). */
export type ProjectionsContextOptions = NonNullable<
  Parameters<typeof NestFactory.createApplicationContext>[1]
>;

export interface ProjectionsHandlerOptions {
  /**
   * Options of the application context made from a module. Default: errors and warnings logged. `abortOnError` is
   * always false: a failed start fails the invocation, and the next one starts again, rather than killing the runtime.
   */
  readonly contextOptions?: ProjectionsContextOptions;
  /** Where skipped records and failures are reported. Default: Nest's Logger, context "ProjectionsHandler". */
  readonly logger?: ProjectionsHandlerLogger;
  /** How a batch is applied: `batch` (default), or `stream`, fewer requests. See BatchOrdering. */
  readonly ordering?: BatchOrdering;
}

/** A Lambda handler for a DynamoDB stream event source mapping with ReportBatchItemFailures. */
export type ProjectionsHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * A Lambda function handler that applies the table's stream to the application's projections: the same
 * @Projection() classes as the long-running application, with the same positions, gap filling and redelivery rules.
 * The application context is created on the first invocation and kept for the container's life; if it fails to
 * start, that invocation fails and the next one tries again. See applyDynamoDBStreamEvent for what a batch does.
 *
 * @example
 * export const handler = createProjectionsHandler(ProjectionsLambdaModule);
 */
export function createProjectionsHandler(
  application: ProjectionsApplication,
  options: ProjectionsHandlerOptions = {},
): ProjectionsHandler {
  let projections: Promise<Projections> | undefined;
  const started = () =>
    (projections ??= start(application, options).catch((error: unknown) => {
      projections = undefined;
      throw error;
    }));
  return async (event) =>
    applyDynamoDBStreamEvent(await started(), event, {
      logger: options.logger,
      ordering: options.ordering,
    });
}

async function start(
  application: ProjectionsApplication,
  { contextOptions }: ProjectionsHandlerOptions,
): Promise<Projections> {
  if (isContextFactory(application)) {
    const context = await application();
    try {
      checkLambdaSettings(
        optionalProvider<ProjectionSettings>(context, PROJECTION_SETTINGS),
        optionalProvider(context, StreamRunnerHost),
      );
    } catch (error) {
      await context.close();
      throw error;
    }
    return context.get(Projections, { strict: false });
  }
  // The check runs among the modules' onModuleInit hooks, before any runner could start on bootstrap.
  const context = await NestFactory.createApplicationContext(
    { imports: [application], providers: [LambdaSettingsCheck] },
    { logger: ['error', 'warn'], ...contextOptions, abortOnError: false },
  );
  return context.get(Projections, { strict: false });
}

/** A module class is declared with `class`; anything else callable is a function that makes the context. */
function isContextFactory(
  application: ProjectionsApplication,
): application is () => Promise<INestApplicationContext> {
  return (
    typeof application === 'function' &&
    !Function.prototype.toString.call(application).startsWith('class')
  );
}

function optionalProvider<T>(
  context: INestApplicationContext,
  token: Type<T> | symbol,
): T | undefined {
  try {
    return context.get<T>(token, { strict: false });
  } catch {
    return undefined;
  }
}
