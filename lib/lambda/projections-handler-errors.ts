import { EventStoreError } from '../core/errors.js';

/**
 * The application given to createProjectionsHandler cannot run projections in a Lambda function; `setting` names
 * what to change, and the message says how. Thrown by the first invocation, before any record is applied.
 */
export class ProjectionsHandlerSettingsError extends EventStoreError {
  constructor(
    readonly setting: 'projections' | 'runner' | 'redeliverToEventBus',
    reason: string,
  ) {
    super(`The projections Lambda handler cannot run this application: ${reason}`);
  }
}
