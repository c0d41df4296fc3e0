import { LeaseSightings } from '../../../lib/projections/streams/lease-sightings.js';
import { type Lease, newLease } from '../../../lib/projections/streams/lease-item.js';

const at = (leaseCounter: number): Lease => ({
  ...newLease('arn:stream', 'shard-1', [], new Date(0)),
  leaseOwner: 'other',
  leaseCounter,
});

describe("LeaseSightings: expiry on this worker's own clock", () => {
  it('expires a lease once its counter stood still for the failover time since this worker first saw it', () => {
    const sightings = new LeaseSightings(1_000);
    sightings.record([at(7)], 5_000);

    expect(sightings.isExpired(at(7), 5_999)).toBe(false);
    sightings.record([at(7)], 5_500);
    expect(sightings.isExpired(at(7), 6_000)).toBe(true);
  });

  it('starts over when the counter moves', () => {
    const sightings = new LeaseSightings(1_000);
    sightings.record([at(7)], 0);
    sightings.record([at(8)], 900);

    expect(sightings.isExpired(at(8), 1_500)).toBe(false);
    expect(sightings.isExpired(at(8), 1_900)).toBe(true);
  });

  it('never expires a lease it has not seen, nor one at a counter other than the one it saw', () => {
    const sightings = new LeaseSightings(1_000);
    expect(sightings.isExpired(at(1), 1e9)).toBe(false);
    sightings.record([at(1)], 0);
    expect(sightings.isExpired(at(2), 1e9)).toBe(false);
  });
});
