import type { Lease } from './lease-item.js';

/** A lease as balancing sees it. */
export interface LeaseClaim {
  readonly leaseKey: string;
  /**
   * The live worker that holds the lease, or that the owner is about to hand it to; undefined when the lease is free
   * to take (nobody owns it, or its owner stopped renewing it).
   */
  readonly claimant: string | undefined;
  /** Whether its claimant may be asked to hand it over: false while a hand-off is already under way. */
  readonly stealable: boolean;
}

/**
 * How balancing sees each lease, from this worker's side. A lease the table gives this worker counts as its own,
 * held or not. Another worker's lease counts as that worker's, or as the worker it is being handed to, until it
 * expires; then it is free.
 */
export function claimsOf(
  leases: readonly Lease[],
  workerId: string,
  isExpired: (lease: Lease) => boolean,
): LeaseClaim[] {
  return leases.map((lease) => {
    const free =
      lease.leaseOwner === undefined || (lease.leaseOwner !== workerId && isExpired(lease));
    const claimant = free ? undefined : (lease.handoffRequestedBy ?? lease.leaseOwner);
    return {
      leaseKey: lease.leaseKey,
      claimant,
      stealable: claimant !== undefined && lease.handoffRequestedBy === undefined,
    };
  });
}

export interface LeasesToTake {
  /** Free leases to take now. */
  readonly take: readonly string[];
  /** A lease to ask its owner for, when there was nothing free to take: one at most per pass. */
  readonly steal: string | undefined;
}

/**
 * The KCL's balancing rule. Each worker aims for ceil(leases / live workers), where the live workers are the distinct
 * claimants plus this one. Below that, it takes free leases first; only when there are none does it steal, one lease
 * per pass, from the most-loaded worker, and only if that worker is above the target (or at it, when this worker is
 * more than one short: so 7 leases over 3 workers end as 3-2-2 rather than 3-3-1). A worker never gives leases away
 * by itself: the others come and take them, so a worker that sees the others later converges all the same.
 */
export function chooseLeasesToTake(
  workerId: string,
  claims: readonly LeaseClaim[],
  random: () => number = Math.random,
): LeasesToTake {
  const countByWorker = new Map<string, number>([[workerId, 0]]);
  for (const { claimant } of claims) {
    if (claimant !== undefined) countByWorker.set(claimant, (countByWorker.get(claimant) ?? 0) + 1);
  }
  const target = Math.ceil(claims.length / countByWorker.size);
  const needed = target - (countByWorker.get(workerId) ?? 0);
  if (needed <= 0) return { take: [], steal: undefined };

  // Shuffled, so that workers starting together do not all race for the same leases.
  const free = shuffle(
    claims.filter((claim) => claim.claimant === undefined),
    random,
  );
  if (free.length > 0) {
    return { take: free.slice(0, needed).map((claim) => claim.leaseKey), steal: undefined };
  }

  let mostLoaded: [string, number] | undefined;
  for (const [worker, count] of countByWorker) {
    if (worker !== workerId && (mostLoaded === undefined || count > mostLoaded[1])) {
      mostLoaded = [worker, count];
    }
  }
  if (mostLoaded === undefined) return { take: [], steal: undefined };
  const [victim, victimCount] = mostLoaded;
  const overTarget = victimCount - target;
  const steal = overTarget > 0 || (overTarget === 0 && needed > 1);
  const candidates = steal
    ? claims.filter((claim) => claim.claimant === victim && claim.stealable)
    : [];
  return { take: [], steal: shuffle(candidates, random)[0]?.leaseKey };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const shuffled = [...items];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return shuffled;
}
