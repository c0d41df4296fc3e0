/**
 * nestjs-dynamo-es/lambda: the projections in an AWS Lambda function on the events table's DynamoDB stream. Loads
 * neither the Streams client (Lambda reads the stream) nor anything of the CLI or the testing kit; the types of
 * @types/aws-lambda are used as types only.
 */
export {
  applyDynamoDBStreamEvent,
  type ApplyStreamEventOptions,
  type BatchOrdering,
  type ProjectionsHandlerLogger,
} from './apply-stream-event.js';
export {
  createProjectionsHandler,
  type ProjectionsApplication,
  type ProjectionsContextOptions,
  type ProjectionsHandler,
  type ProjectionsHandlerOptions,
} from './projections-handler.js';
export { ProjectionsHandlerSettingsError } from './projections-handler-errors.js';
