import { startLocalDynamoDb } from '../local-dynamodb/local-dynamodb.js';

/** Starts the local endpoint once for the whole run, unless DYNAMODB_ENDPOINT names one already. */
export default async function globalSetup() {
  if (process.env.DYNAMODB_ENDPOINT) return;
  const localDynamoDb = await startLocalDynamoDb();
  globalThis.localDynamoDb = localDynamoDb;
  // Test workers are forked after this and inherit the environment.
  process.env.DYNAMODB_ENDPOINT = localDynamoDb.endpoint;
}
