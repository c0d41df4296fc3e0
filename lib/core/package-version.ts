import { createRequire } from 'node:module';

/** The installed package's version: package.json sits two levels above this file, in dist/core/ as in lib/core/. */
export const PACKAGE_VERSION = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;
