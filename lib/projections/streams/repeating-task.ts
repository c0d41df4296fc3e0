/**
 * Runs a task every `intervalMs`, one run at a time: the next is scheduled when the previous one ends, so a slow run
 * delays the next instead of overlapping it. `trigger()` asks for a run as soon as possible. Its timer keeps the
 * process alive while it runs (a worker process may have nothing else to do) and is cleared by `stop()`.
 */
export class RepeatingTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private runAgain = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly task: (signal: AbortSignal) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Schedules the first run after one interval. */
  start(): void {
    this.schedule(this.intervalMs);
  }

  /** Runs the task now, or right after the run under way. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.runAgain = true;
      return;
    }
    this.schedule(0);
  }

  /** No further runs; aborts the signal the run under way was given, and waits for it to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), ms);
  }

  private run(): void {
    if (this.stopped) return;
    this.running = this.task(this.abort.signal)
      .catch((error: unknown) => {
        if (!this.stopped) this.onError(error);
      })
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const again = this.runAgain;
        this.runAgain = false;
        this.schedule(again ? 0 : this.intervalMs);
      });
  }
}
