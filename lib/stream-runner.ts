/**
 * The DynamoDB Streams runner on its own, for code that reads the events table's stream without Nest: an entry of
 * its own, because it loads `@aws-sdk/client-dynamodb-streams` (an optional peer) when imported.
 * DynamoProjectionsModule runs it for a Nest application.
 */
export { createDynamoDBStreamsClient } from './projections/streams-client.js';
export type {
  ShardRecords,
  ShardRecordsHandler,
  StreamRunnerLogger,
} from './projections/streams/stream-records.js';
export {
  StreamRunner,
  type StreamRunnerOptions,
  type StreamRunnerStatus,
} from './projections/streams/stream-runner.js';
