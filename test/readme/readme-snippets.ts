import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One ```ts block of a Markdown file. */
export interface TsBlock {
  /** 1 for the file's first ```ts block. */
  readonly index: number;
  /** The line of the opening fence, 1-based. */
  readonly fenceLine: number;
  /** The file the block declares it is (its first line, `// src/account.aggregate.ts`), if any. */
  readonly fileName?: string;
  readonly code: string;
}

/** A file name on the block's first line, as the block's own comment: `// src/main.ts`. */
const FILE_NAME_COMMENT = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)\s*$/;
const OPENING_FENCE = /^(`{3,})\s*([\w-]*)/;

export function extractTsBlocks(markdown: string): TsBlock[] {
  const lines = markdown.split('\n');
  const blocks: TsBlock[] = [];
  for (let start = 0; start < lines.length; start++) {
    const opening = OPENING_FENCE.exec(lines[start]!);
    if (!opening) continue;
    const fence = opening[1]!;
    let end = start + 1;
    while (end < lines.length && lines[end]!.trimEnd() !== fence) end++;
    if (opening[2] === 'ts' || opening[2] === 'typescript') {
      const code = lines.slice(start + 1, end).join('\n') + '\n';
      const fileName = FILE_NAME_COMMENT.exec(lines[start + 1] ?? '')?.[1];
      blocks.push({
        index: blocks.length + 1,
        fenceLine: start + 1,
        ...(fileName !== undefined ? { fileName } : {}),
        code,
      });
    }
    start = end;
  }
  return blocks;
}

export interface TypeCheckSetup {
  /** The repository: its tsconfig.json gives the compiler options and the `paths` to the package's sources. */
  readonly repoRoot: string;
  /** Where the blocks' files seem to live. Under the repository, so that imports resolve to its node_modules. */
  readonly projectDir: string;
  /** How problems name the Markdown file. */
  readonly markdownName: string;
}

/**
 * Type-checks the blocks as one project: a named block is its file at its path, an unnamed one its own module
 * (`src/readme-block-<N>.ts`, beside the named files, which it may import). The files are never written: the
 * compiler reads them from memory, and everything else from the disk. Returns one line per problem, naming the
 * block and its line in the Markdown file.
 */
export function typeCheckBlocks(blocks: readonly TsBlock[], setup: TypeCheckSetup): string[] {
  const files = new Map<string, TsBlock>();
  const problems: string[] = [];
  for (const block of blocks) {
    const path = resolve(setup.projectDir, block.fileName ?? `src/readme-block-${block.index}.ts`);
    const earlier = files.get(path);
    if (earlier) {
      problems.push(
        `${setup.markdownName} block ${block.index} (line ${block.fenceLine + 1}, file ${block.fileName}): ` +
          `block ${earlier.index} is that file already`,
      );
    } else {
      files.set(path, block);
    }
  }
  const contents = new Map(
    [...files].map(([path, block]) => [
      path,
      // Without an import or export a block would be a script sharing globals with the others.
      block.fileName === undefined ? `${block.code}export {};\n` : block.code,
    ]),
  );
  const directories = new Set<string>();
  for (const path of contents.keys()) {
    for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) directories.add(dir);
  }

  const options = repositoryCompilerOptions(setup.repoRoot);
  const host = ts.createCompilerHost(options, true);
  const disk = {
    fileExists: host.fileExists.bind(host),
    readFile: host.readFile.bind(host),
    directoryExists: host.directoryExists?.bind(host) ?? (() => false),
    getSourceFile: host.getSourceFile.bind(host),
  };
  host.fileExists = (path) => contents.has(resolve(path)) || disk.fileExists(path);
  host.readFile = (path) => contents.get(resolve(path)) ?? disk.readFile(path);
  // Module resolution looks for a relative import only in a directory that exists.
  host.directoryExists = (path) => directories.has(resolve(path)) || disk.directoryExists(path);
  host.getSourceFile = (path, languageVersion, ...rest) => {
    const text = contents.get(resolve(path));
    return text === undefined
      ? disk.getSourceFile(path, languageVersion, ...rest)
      : ts.createSourceFile(path, text, languageVersion, true);
  };

  const program = ts.createProgram({ rootNames: [...contents.keys()], options, host });
  const projectDiagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ];
  for (const diagnostic of projectDiagnostics) {
    problems.push(`${setup.markdownName} (the project): ${describe(diagnostic)}`);
  }
  for (const [path, block] of files) {
    const sourceFile = program.getSourceFile(path)!;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ];
    for (const diagnostic of diagnostics) {
      const { line } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const where = `line ${block.fenceLine + 1 + line}, ${block.fileName ? `file ${block.fileName}` : 'unnamed'}`;
      problems.push(
        `${setup.markdownName} block ${block.index} (${where}): ${describe(diagnostic)}`,
      );
    }
  }
  return problems;
}

function describe(diagnostic: ts.Diagnostic): string {
  const category = ts.DiagnosticCategory[diagnostic.category].toLowerCase();
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  return `${category} TS${diagnostic.code}: ${message}`;
}

/** The repository's own options (strict, NodeNext, decorators…), for an application: Node's types, not Jest's. */
function repositoryCompilerOptions(repoRoot: string): ts.CompilerOptions {
  const configPath = join(repoRoot, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (error) throw new Error(`${relative(repoRoot, configPath)}: ${describe(error)}`);
  const { options, errors } = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot);
  if (errors.length > 0) throw new Error(errors.map(describe).join('\n'));
  return { ...options, types: ['node'], noEmit: true, allowJs: false };
}
