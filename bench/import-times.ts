import {
  type FreshProcessRow,
  freshProcessRow,
  importTimesInFreshProcess,
  interleaved,
} from './support/fresh-processes.js';

const FULL = { processes: 7 };
const QUICK = { processes: 1 };

interface ImportCase {
  readonly measured: string;
  /** Imported at once by each process, nothing before them. */
  readonly specifiers: readonly string[];
}

/**
 * Each entry of the package alone, resolved by its name as an application's import is (the exports of package.json,
 * to the built dist/), beside what it stands on.
 */
const CASES: readonly ImportCase[] = [
  {
    measured: 'nestjs-dynamo-es (main: the Nest module and repository, both stores)',
    specifiers: ['nestjs-dynamo-es'],
  },
  {
    measured: 'nestjs-dynamo-es/core (both stores, table and client helpers, no Nest)',
    specifiers: ['nestjs-dynamo-es/core'],
  },
  {
    measured: 'nestjs-dynamo-es/core + rxjs (for its operators: lastValueFrom, toArray…)',
    specifiers: ['nestjs-dynamo-es/core', 'rxjs'],
  },
  { measured: 'nestjs-dynamo-es/projections', specifiers: ['nestjs-dynamo-es/projections'] },
  { measured: 'nestjs-dynamo-es/lambda', specifiers: ['nestjs-dynamo-es/lambda'] },
  { measured: 'nestjs-dynamo-es/testing', specifiers: ['nestjs-dynamo-es/testing'] },
  { measured: 'nestjs-dynamo-es/health', specifiers: ['nestjs-dynamo-es/health'] },
  { measured: 'nestjs-dynamo-es/stream-runner', specifiers: ['nestjs-dynamo-es/stream-runner'] },
  {
    measured: 'for comparison: @aws-sdk/client-dynamodb alone',
    specifiers: ['@aws-sdk/client-dynamodb'],
  },
  {
    measured: 'for comparison: @nestjs/core + @nestjs/cqrs',
    specifiers: ['@nestjs/core', '@nestjs/cqrs'],
  },
  {
    measured: 'for comparison: @nestjs/core + @aws-sdk/client-dynamodb',
    specifiers: ['@nestjs/core', '@aws-sdk/client-dynamodb'],
  },
  { measured: 'for comparison: @nestjs/cqrs alone', specifiers: ['@nestjs/cqrs'] },
];

/**
 * The time an import takes a fresh node process, from its first line to the end of the import: what each entry
 * adds to a cold start (a Lambda function's init, a CLI's start) before any of its code runs. One process at a time,
 * the cases interleaved round after round; median, fastest and slowest of the processes.
 */
export async function measureImportTimes({
  quick,
}: {
  quick: boolean;
}): Promise<FreshProcessRow[]> {
  const { processes } = quick ? QUICK : FULL;
  const times = new Map<ImportCase, number[]>(CASES.map((which) => [which, []]));
  const nodeStarts: number[] = [];
  await interleaved(CASES, processes, async (which) => {
    const { importMs, nodeStartMs } = await importTimesInFreshProcess(which.specifiers);
    times.get(which)!.push(importMs);
    nodeStarts.push(nodeStartMs);
  });
  return [
    ...CASES.map((which) => freshProcessRow(which.measured, times.get(which)!)),
    freshProcessRow('before each: node’s own start, to the process’s first line', nodeStarts),
  ];
}
