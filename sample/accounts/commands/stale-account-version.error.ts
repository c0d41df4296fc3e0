/** The client asked to change the account at a version it is no longer at (an If-Match header that does not match). */
export class StaleAccountVersionError extends Error {
  constructor(
    readonly accountId: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(
      `Account ${accountId} is at version ${currentVersion}, not ${expectedVersion}: reload it and try again.`,
    );
  }
}
