import { register } from 'node:module';

// The launcher is imported from the sources, which need no build first: see typescript-loader.js.
register('./typescript-loader.js', import.meta.url);

/** Starts the local endpoint once for the whole run, unless DYNAMODB_ENDPOINT names one already. */
export default async function globalSetup() {
  if (process.env.DYNAMODB_ENDPOINT) return;
  const { startLocalDynamoDB } = await import('../../lib/testing/local-dynamodb.ts');
  const localDynamoDB = await startLocalDynamoDB();
  globalThis.localDynamoDB = localDynamoDB;
  // Test workers are forked after this and inherit the environment.
  process.env.DYNAMODB_ENDPOINT = localDynamoDB.endpoint;
  process.env.DYNAMODB_ENDPOINT_STARTED_BY_TESTS = 'true';
}
