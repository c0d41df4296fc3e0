import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Type } from '@nestjs/common';
import { CliUsageError } from './cli-usage-error.js';
import { helpCommandOf } from './command-line.js';

/** The export taken when `--module` names none: the root module's name in every Nest application's template. */
export const DEFAULT_MODULE_EXPORT = 'AppModule';
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** The application's root Nest module, as `--module <file>[#<export>]` named it. */
export interface ApplicationModule {
  /** Absolute. */
  readonly file: string;
  readonly exportName: string;
  readonly moduleClass: Type<unknown>;
}

/**
 * Imports `<file>[#<export>]`, the file resolved from the working directory, and takes the export named (by default
 * AppModule). A compiled CommonJS file works too: its exports are read from `module.exports`.
 */
export async function importApplicationModule(
  specifier: string,
  command: string,
): Promise<ApplicationModule> {
  const hash = specifier.lastIndexOf('#');
  const path = hash < 0 ? specifier : specifier.slice(0, hash);
  const exportName = (hash < 0 ? '' : specifier.slice(hash + 1)) || DEFAULT_MODULE_EXPORT;
  const file = resolve(path);
  const usageError = (message: string) => new CliUsageError(message, helpCommandOf(command));

  if (TYPESCRIPT_EXTENSIONS.has(extname(file)))
    throw usageError(
      `--module takes the compiled JavaScript file, such as dist/app.module.js, not ${path}: build the ` +
        'application first.',
    );
  if (!(await isFile(file))) throw usageError(`No file at ${file} (--module ${specifier}).`);

  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Could not load ${file}: ${(error as Error).message}`, { cause: error });
  }
  const commonJsExports = (exports.default ?? {}) as Record<string, unknown>;
  const moduleClass = exports[exportName] ?? commonJsExports[exportName];
  if (typeof moduleClass !== 'function') {
    const classes = Object.keys({ ...commonJsExports, ...exports }).filter(
      (name) => typeof (exports[name] ?? commonJsExports[name]) === 'function',
    );
    throw usageError(
      `${file} exports no class named ${exportName}; ` +
        (classes.length === 0
          ? 'it exports no class at all.'
          : `its classes are ${classes.join(', ')}: name the root module with --module ${path}#<name>.`),
    );
  }
  return { file, exportName, moduleClass: moduleClass as Type<unknown> };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
