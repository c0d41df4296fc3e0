/** The command line itself is wrong: nothing was attempted. Exit code 2. */
export class CliUsageError extends Error {
  constructor(
    message: string,
    /** The help to point to, e.g. `nestjs-dynamo-es create-tables --help`. */
    readonly helpCommand: string,
  ) {
    super(message);
    this.name = 'CliUsageError';
  }
}
