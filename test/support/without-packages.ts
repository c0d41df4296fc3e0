import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TYPESCRIPT_LOADER = fileURLToPath(new URL('./typescript-loader.js', import.meta.url));

/** The optional peers of the package: an entry that does not need them must load where they are not installed. */
export const OPTIONAL_PEERS = [
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/client-dynamodb-streams',
  '@opentelemetry/api',
];

/**
 * Runs node on the repository's TypeScript sources in a child process where resolving any of `packages` fails, as
 * it does where they are not installed. `args` are node's: a script path and its arguments, or `--input-type=module
 * -e <code>`. Resolves to its output; rejects as execFile does (with stdout and stderr) when the child fails.
 */
export function nodeWithout(
  packages: readonly string[],
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  // Single quotes only: the outer data: URL is percent-decoded once, so the inner one's quotes must not be double.
  const names = packages.map((name) => `'${name}'`).join(', ');
  const refuse =
    'export async function resolve(specifier, context, next) {' +
    `  if ([${names}].includes(specifier))` +
    "    throw Object.assign(new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`)," +
    "      { code: 'ERR_MODULE_NOT_FOUND' });" +
    '  return next(specifier, context);' +
    '}';
  return run(
    process.execPath,
    [
      '--import',
      `data:text/javascript,import { register } from 'node:module'; ` +
        `register(${JSON.stringify(`file://${TYPESCRIPT_LOADER}`)}); ` +
        `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(refuse)}`)});`,
      ...args,
    ],
    { env: { ...process.env, NODE_OPTIONS: '', ...env } },
  );
}
