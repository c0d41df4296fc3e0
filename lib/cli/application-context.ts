import type { INestApplicationContext, LoggerService, Type } from '@nestjs/common';

/** StreamRunnerHost (and the Lambda handler) start no stream runner where this is "false". */
const RUNNER_VARIABLE = 'NESTJS_DYNAMO_ES_RUNNER';

/**
 * Runs `use` with NESTJS_DYNAMO_ES_RUNNER=false, for the application's module to be imported and started in: a
 * runner started by a command would compete with the application's own for the stream's shards. The variable is
 * restored after, for a caller that runs commands in its own process, as the tests do.
 */
export async function withoutStreamRunner<T>(use: () => Promise<T>): Promise<T> {
  const setting = process.env[RUNNER_VARIABLE];
  process.env[RUNNER_VARIABLE] = 'false';
  try {
    return await use();
  } finally {
    if (setting === undefined) delete process.env[RUNNER_VARIABLE];
    else process.env[RUNNER_VARIABLE] = setting;
  }
}

/**
 * Starts the module as a Nest application context, runs `use` on it, and closes it, whatever `use` does. Nest logs
 * only errors, each as one line through `logError`.
 */
export async function withApplicationContext<T>(
  moduleClass: Type<unknown>,
  logError: (line: string) => void,
  use: (context: INestApplicationContext) => Promise<T>,
): Promise<T> {
  // Loaded by the command that needs it alone: the others start faster without Nest.
  const { NestFactory } = await import('@nestjs/core');
  let context: INestApplicationContext;
  try {
    context = await NestFactory.createApplicationContext(moduleClass, {
      logger: errorLinesLogger(logError),
      // Nest's default ends the process at once on a failed start, before the command can say what failed.
      abortOnError: false,
    });
  } catch (error) {
    // Nest's first paragraph says what is wrong; the "potential solutions" after it do not fit one line.
    const [what = ''] = String((error as Error).message ?? error).split('\n\n');
    throw new Error(`Could not start ${moduleClass.name}: ${what.replace(/\s+/g, ' ').trim()}`, {
      cause: error,
    });
  }
  try {
    return await use(context);
  } finally {
    await context.close();
  }
}

function errorLinesLogger(logError: (line: string) => void): LoggerService {
  const ignore = () => {};
  const error = (message: unknown) => {
    // An error that fails the start, which Nest logs before throwing it: the command reports it once, itself.
    if (message instanceof Error) return;
    logError(String(message).replace(/\s+/g, ' ').trim());
  };
  return { log: ignore, warn: ignore, debug: ignore, verbose: ignore, error, fatal: error };
}
