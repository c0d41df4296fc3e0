// Module hooks that let Node import this repository's TypeScript sources directly, for jest's global setup: jest
// compiles a TypeScript global setup to CommonJS and resolves its imports with Node's own rules, so the sources'
// "./x.js" specifiers (which name the compiled files) would not resolve, and CI runs the tests before any build.
import { transform } from '@swc/core';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** "./x.js" from a .ts file means "./x.ts" until it is compiled. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const fromTypeScript =
      context.parentURL?.endsWith('.ts') && /^\.{1,2}\/.*\.js$/.test(specifier);
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !fromTypeScript) throw error;
    return nextResolve(`${specifier.slice(0, -'.js'.length)}.ts`, context);
  }
}

/** The same compilation as jest's transform (jest.config.js): types stripped, legacy decorators, ESM. */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = await transform(await readFile(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2023',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
