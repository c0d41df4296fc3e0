// Module hooks for running the sample app as a child process from the sources: the repository's TypeScript loader,
// plus the package's own name mapped to lib/ as jest's moduleNameMapper does. Without that mapping Node would
// resolve `nestjs-dynamo-es` to the package's dist/ (by self-reference), which may be missing or stale, and the
// child would test other code than the sources, with DI tokens the sample's lib/ imports don't share.
import { load, resolve as resolveTypeScript } from '../support/typescript-loader.js';

const PACKAGE_ENTRIES = {
  'nestjs-dynamo-es': '../../lib/index.ts',
  'nestjs-dynamo-es/core': '../../lib/framework-free.ts',
  'nestjs-dynamo-es/testing': '../../lib/testing/index.ts',
  'nestjs-dynamo-es/projections': '../../lib/projections/index.ts',
  'nestjs-dynamo-es/health': '../../lib/health/index.ts',
};

export { load };

export function resolve(specifier, context, nextResolve) {
  const entry = PACKAGE_ENTRIES[specifier];
  if (entry) return { url: new URL(entry, import.meta.url).href, shortCircuit: true };
  return resolveTypeScript(specifier, context, nextResolve);
}
