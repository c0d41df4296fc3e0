import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractTsBlocks, typeCheckBlocks } from './readme-snippets.js';

/**
 * Every ```ts block of the README compiles as printed, imports included, against the package's sources. A block
 * whose first line names a file (`// src/account.aggregate.ts`) is that file of one project, so the blocks of the
 * Quick start import each other; any other block is a module of its own beside them.
 */
const REPO = join(import.meta.dirname, '..', '..');
const blocks = extractTsBlocks(readFileSync(join(REPO, 'README.md'), 'utf8'));

describe('the README ts blocks', () => {
  it('exist, so that the check cannot pass vacuously', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.filter((block) => block.fileName !== undefined).length).toBeGreaterThan(0);
  });

  it('name each file at most once', () => {
    const names = blocks.flatMap((block) => (block.fileName ? [block.fileName] : []));
    const repeated = names.filter((name, index) => names.indexOf(name) !== index);
    expect(repeated).toEqual([]);
  });

  it('type-check with the repository compiler options', () => {
    const problems = typeCheckBlocks(blocks, {
      repoRoot: REPO,
      // Never written: the compiler reads the blocks from memory, and the rest (node_modules) from the repository.
      projectDir: join(REPO, '.scratch', 'readme'),
      markdownName: 'README.md',
    });
    expect(problems).toEqual([]);
  }, 60_000);
});
