import type { RebuildProgress } from '../projections/rebuild/projection-rebuild.js';
import type { CliIo } from './cli-io.js';
import { progressLine, terminalProgressLine } from './rebuild-messages.js';

/** `terminal`: one status line redrawn in place; `lines`: a line now and then, for logs; `json`: NDJSON. */
export type RebuildOutput = 'terminal' | 'lines' | 'json';

/** How often the rebuild reports to each output: a terminal's line looks alive, a log stays short. */
const PROGRESS_INTERVAL_MS: Readonly<Record<RebuildOutput, number>> = {
  terminal: 250,
  lines: 2000,
  json: 1000,
};
/** Erases the rest of the line, after a redrawn line shorter than the one before. */
const CLEAR_TO_END_OF_LINE = '\u001b[K';

/** Writes what a rebuild reports in the output's form; the messages about it beside. */
export interface RebuildReporter {
  readonly progressIntervalMs: number;
  /** A function of its own, to be handed to the rebuild as `onProgress`. */
  readonly progress: (progress: RebuildProgress) => void;
  /** A line for the person who runs the command: on stdout, or on stderr beside JSON. */
  readonly note: (line: string) => void;
  /** A line about something that went wrong, on stderr. */
  readonly problem: (line: string) => void;
}

export function rebuildReporter(io: CliIo, output: RebuildOutput): RebuildReporter {
  let statusLineShown = false;
  /** Anything else written while the status line is shown starts on a line of its own. */
  const endStatusLine = () => {
    if (statusLineShown) io.stdout.write('\n');
    statusLineShown = false;
  };
  const progress = (report: RebuildProgress) => {
    if (output === 'json') {
      io.stdout.write(`${JSON.stringify(report)}\n`);
    } else if (output === 'terminal') {
      io.stdout.write(
        `\r${terminalProgressLine(report, io.stdout.columns)}${CLEAR_TO_END_OF_LINE}`,
      );
      statusLineShown = true;
    } else if (report.status === 'running') {
      // The last report is the summary's to tell.
      io.stdout.write(`${progressLine(report)}\n`);
    }
  };
  return {
    progressIntervalMs: PROGRESS_INTERVAL_MS[output],
    progress,
    note: (line) => {
      endStatusLine();
      (output === 'json' ? io.stderr : io.stdout).write(`${line}\n`);
    },
    problem: (line) => {
      endStatusLine();
      io.stderr.write(`${line}\n`);
    },
  };
}
