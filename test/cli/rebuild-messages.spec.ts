import type { RebuildProgress } from '../../lib/projections/index.js';
import { duration, progressLine, terminalProgressLine } from '../../lib/cli/rebuild-messages.js';

/** A rebuild a quarter of the way through a table of about 40 000 events. */
const running: RebuildProgress = {
  projection: 'account-directory',
  mode: 'rebuild',
  generation: 3,
  segments: 4,
  segmentsDone: 1,
  streamsDone: 2_500,
  eventsRead: 10_000,
  eventsApplied: 9_990,
  eventsPerSecond: 1_234.5,
  estimatedEvents: 40_000,
  etaMs: 24_300,
  elapsedMs: 8_100,
  status: 'running',
};

describe('how rebuild shows progress', () => {
  it.each([
    [400, '0.4s'],
    [9_940, '9.9s'],
    [59_900, '59s'],
    [185_000, '3m05s'],
    [3_720_000, '1h02m'],
  ])('%i ms is %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it('in a log, one line with the share of the table read, the segments, streams and events, rate and time left', () => {
    expect(progressLine(running)).toBe(
      'Rebuild of "account-directory", generation 3: 25% (10,000 of about 40,000 events read), 1/4 segments done, ' +
        '2,500 streams done, 9,990 events applied, 1,235 events/s, about 24s left',
    );
  });

  it('on a terminal, a bar of one width whatever the numbers, so that the line does not jitter', () => {
    const early = terminalProgressLine({ ...running, streamsDone: 1, eventsApplied: 1 }, 120);
    const late = terminalProgressLine(
      { ...running, streamsDone: 1_000_000, eventsApplied: 9_000_000 },
      120,
    );

    // 30 wide on 120 columns; a quarter of it filled.
    expect(early).toBe(
      `account-directory gen 3 [${'█'.repeat(8)}${'░'.repeat(22)}] 25% · 1 stream · 1 event applied · ` +
        '1,235/s · 24s left',
    );
    expect(late.indexOf(']')).toBe(early.indexOf(']'));
  });

  it('never says 100% before the end: DynamoDB counts the table’s items only every six hours or so', () => {
    const stale = { ...running, eventsRead: 50_000 };

    expect(progressLine(stale)).toMatch(/: 99% \(50,000 of about 40,000 events read\)/);
    expect(terminalProgressLine({ ...stale, status: 'done' })).toContain('] 100% · ');
  });

  it('gives no share nor time left where the table’s count is unknown, or for a catch-up, which reads only what is new', () => {
    for (const progress of [
      { ...running, estimatedEvents: undefined, etaMs: undefined },
      { ...running, mode: 'catch-up' as const },
    ]) {
      expect(progressLine(progress)).not.toMatch(/%|left/);
      expect(terminalProgressLine(progress, 120)).not.toMatch(/%|left|\[/);
    }
    expect(progressLine({ ...running, mode: 'catch-up' })).toMatch(
      /^Catch-up of "account-directory", generation 3: 10,000 events read, /,
    );
  });
});
