export default async function globalTeardown() {
  await globalThis.localDynamoDB?.stop();
}
