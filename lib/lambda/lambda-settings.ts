import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import type { DynamoProjectionsModuleOptions } from '../projections/nest/dynamo-projections-options.js';
import type { ProjectionSettings } from '../projections/nest/projection-settings.js';
import { PROJECTION_SETTINGS } from '../projections/nest/projection-tokens.js';
import { runsStreamRunner, StreamRunnerHost } from '../projections/nest/stream-runner-host.js';
import { ProjectionsHandlerSettingsError } from './projections-handler-errors.js';

/**
 * Refuses the settings that cannot work in a Lambda function:
 * - a stream runner (`runner` left true): Lambda reads the stream and calls the handler; a runner beside it would read
 *   the same records again, need a lease table, and poll in the background of a container that is frozen between
 *   invocations;
 * - `redeliverToEventBus`: its @EventsHandler()s run after apply() returns, and the container may be frozen, or never
 *   thawed, before they finish: the at-least-once promise would not hold.
 * `handlerFailures` is the application's choice: `throw` lets Lambda retry, bisect and give up on the record;
 * `park` keeps the stream behind the event in the views table and the invocation succeeds.
 */
export function checkLambdaSettings(
  settings: ProjectionSettings | undefined,
  runnerHost: StreamRunnerHost | undefined,
): void {
  if (!settings) {
    throw new ProjectionsHandlerSettingsError(
      'projections',
      'it has no projections. Import DynamoProjectionsModule.forRoot({ viewsTable, runner: false }) in the ' +
        'module given to createProjectionsHandler, and each projection with DynamoProjectionsModule.forFeature().',
    );
  }
  if (runnerHost && runsStreamRunner(settings as DynamoProjectionsModuleOptions)) {
    throw new ProjectionsHandlerSettingsError(
      'runner',
      'DynamoProjectionsModule would run a stream runner inside the function, beside the event source mapping ' +
        'that already reads the stream. Set `runner: false` in DynamoProjectionsModule.forRoot() of the Lambda ' +
        'module (no lease table is needed then).',
    );
  }
  if (settings.redeliverToEventBus) {
    throw new ProjectionsHandlerSettingsError(
      'redeliverToEventBus',
      'redeliverToEventBus publishes on the EventBus, whose handlers run after the invocation returns, when Lambda ' +
        'may freeze the container: reactions could be lost. Leave it off in the Lambda module; run reactions where ' +
        'the application keeps running.',
    );
  }
}

/** Checks the settings while the modules initialise: before the runner host, which starts on bootstrap, can start. */
@Injectable()
export class LambdaSettingsCheck implements OnModuleInit {
  constructor(
    @Optional() @Inject(PROJECTION_SETTINGS) private readonly settings?: ProjectionSettings,
    @Optional() private readonly runnerHost?: StreamRunnerHost,
  ) {}

  onModuleInit(): void {
    checkLambdaSettings(this.settings, this.runnerHost);
  }
}
