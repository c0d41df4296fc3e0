import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeWithout } from '../support/without-packages.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the health entry, for @nestjs/terminus, an optional peer', () => {
  it('is loaded by no other entry: the package and its projections load without @nestjs/terminus', async () => {
    const entries = ['lib/index.ts', 'lib/projections/index.ts', 'lib/testing/index.ts'];
    const code =
      entries.map((entry) => `await import(${JSON.stringify(join(ROOT, entry))});`).join(' ') +
      " console.log('loaded');";

    const { stdout } = await nodeWithout(['@nestjs/terminus'], ['--input-type=module', '-e', code]);

    expect(stdout.trim()).toBe('loaded');
  });

  it('needs it itself', async () => {
    const code = `await import(${JSON.stringify(join(ROOT, 'lib/health/index.ts'))});`;

    await expect(
      nodeWithout(['@nestjs/terminus'], ['--input-type=module', '-e', code]),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining("Cannot find package '@nestjs/terminus'"),
    });
  });
});
