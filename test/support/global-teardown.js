export default async function globalTeardown() {
  await globalThis.localDynamoDb?.stop();
}
