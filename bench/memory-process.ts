// This file is also the child process it starts (run with CHILD_FLAG): the memory of a read depends on what the
// process did before it (the heap's size, when V8 last collected), so each measurement runs in a process of its own.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type MemoryRow, measureHistoryMemory } from './memory.js';
import { childEnvironment } from './support/fresh-processes.js';

const CHILD_FLAG = '--history-memory-child';
const run = promisify(execFile);

/** measureHistoryMemory in a fresh node process (with --expose-gc, which it needs to find its baseline). */
export async function measureHistoryMemoryInFreshProcess({
  quick,
}: {
  quick: boolean;
}): Promise<MemoryRow[]> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), CHILD_FLAG, ...(quick ? ['--quick'] : [])],
    { env: childEnvironment(), maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as MemoryRow[];
}

if (process.argv[2] === CHILD_FLAG) {
  const rows = await measureHistoryMemory({ quick: process.argv.includes('--quick') });
  console.log(JSON.stringify(rows));
}
