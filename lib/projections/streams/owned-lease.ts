import type { Lease } from './lease-item.js';
import type { LeaseTable } from './lease-table.js';

/**
 * A lease this worker holds, and the only way it writes it. Writes are made one at a time, each conditioned on the
 * counter of the previous one: the renewer's heartbeat and the consumer's checkpoint would otherwise race and fence
 * each other out. A failed condition means another worker wrote the lease: it is lost at once, and `lost` aborts.
 *
 * The worker also counts a lease as lost when it could not write it for the failover time (by its own clock, from
 * when the last successful write was *sent*): by then another worker may have taken it, so it must not hand another
 * batch to the handler.
 */
export class OwnedLease {
  private current: Lease;
  private confirmedAt: number;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly lostController = new AbortController();

  constructor(
    private readonly table: LeaseTable,
    lease: Lease,
    /** performance.now() when the write that took the lease was sent. */
    takenAt: number,
    private readonly failoverTimeMs: number,
  ) {
    this.current = lease;
    this.confirmedAt = takenAt;
  }

  /** The lease as this worker last wrote it. */
  get lease(): Lease {
    return this.current;
  }

  /** Aborts once the lease is lost or given up: stop using it. */
  get lost(): AbortSignal {
    return this.lostController.signal;
  }

  /** Whether it is still this worker's to use: not lost, and written successfully within the failover time. */
  isHeld(now = performance.now()): boolean {
    return !this.lost.aborted && now - this.confirmedAt < this.failoverTimeMs;
  }

  /** Gives up the lease without writing it, e.g. when it could not be renewed for the failover time. */
  markLost(reason: string): void {
    this.lostController.abort(reason);
  }

  /** The heartbeat. Its answer tells whether another worker asked for a hand-off. */
  renew(): Promise<boolean> {
    return this.write((lease) => this.table.renew(lease));
  }

  checkpoint(sequenceNumber: string): Promise<boolean> {
    return this.write((lease) => this.table.checkpoint(lease, sequenceNumber));
  }

  /** Checkpoints SHARD_END and gives the lease up: nobody needs to read the shard again. */
  finish(): Promise<boolean> {
    return this.write((lease) => this.table.finish(lease), { givesUp: true });
  }

  release(): Promise<boolean> {
    return this.write((lease) => this.table.release(lease), { givesUp: true });
  }

  transfer(workerId: string): Promise<boolean> {
    return this.write((lease) => this.table.transfer(lease, workerId), { givesUp: true });
  }

  private write(
    change: (lease: Lease) => Promise<Lease | undefined>,
    { givesUp = false } = {},
  ): Promise<boolean> {
    const next = this.writes.then(async () => {
      if (this.lost.aborted) return false;
      const sentAt = performance.now();
      const written = await change(this.current);
      if (!written) {
        this.markLost('another worker wrote the lease');
        return false;
      }
      this.current = written;
      this.confirmedAt = sentAt;
      if (givesUp) this.markLost('given up');
      return true;
    });
    this.writes = next.catch(() => undefined);
    return next;
  }
}
