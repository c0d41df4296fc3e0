import type { Lease } from './lease-item.js';

interface Sighting {
  readonly leaseCounter: number;
  /** On this worker's clock (performance.now()), when it first saw the lease at that counter. */
  readonly since: number;
}

/**
 * When this worker first saw each lease at its current counter. A lease whose counter has not moved for the failover
 * time has an owner that stopped renewing it, and may be taken. Measured on this worker's own clock, from its own
 * sightings, as the KCL does: no two clocks are ever compared, so clock skew between workers cannot expire a lease
 * early. A worker that has just started has seen nothing yet and so waits a full failover time before taking over.
 */
export class LeaseSightings {
  private readonly sightings = new Map<string, Sighting>();

  constructor(private readonly failoverTimeMs: number) {}

  /** Records a scan of the lease table, taken at `now`. */
  record(leases: readonly Lease[], now: number): void {
    const present = new Set<string>();
    for (const lease of leases) {
      present.add(lease.leaseKey);
      const seen = this.sightings.get(lease.leaseKey);
      if (seen?.leaseCounter !== lease.leaseCounter) {
        this.sightings.set(lease.leaseKey, { leaseCounter: lease.leaseCounter, since: now });
      }
    }
    for (const leaseKey of this.sightings.keys()) {
      if (!present.has(leaseKey)) this.sightings.delete(leaseKey);
    }
  }

  /** Whether the lease's owner has not renewed it for the failover time, as far as this worker has seen. */
  isExpired(lease: Lease, now: number): boolean {
    const seen = this.sightings.get(lease.leaseKey);
    return (
      seen !== undefined &&
      seen.leaseCounter === lease.leaseCounter &&
      now - seen.since >= this.failoverTimeMs
    );
  }
}
