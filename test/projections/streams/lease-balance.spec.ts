import {
  chooseLeasesToTake,
  claimsOf,
  type LeaseClaim,
} from '../../../lib/projections/streams/lease-balance.js';
import { type Lease, newLease } from '../../../lib/projections/streams/lease-item.js';

/** "a" owns two, "b" one, two free: claims('a', 'a', 'b', undefined, undefined). */
function claims(...claimants: (string | undefined)[]): LeaseClaim[] {
  return claimants.map((claimant, i) => ({ leaseKey: `lease-${i}`, claimant, stealable: true }));
}

const inOrder = () => 0.999;

describe('chooseLeasesToTake: the KCL balancing rule', () => {
  it('a lone worker takes every free lease', () => {
    expect(
      chooseLeasesToTake('me', claims(undefined, undefined, undefined), inOrder).take,
    ).toHaveLength(3);
  });

  it('takes free leases up to its share of ceil(leases / live workers), and steals nothing then', () => {
    // 6 leases, 2 live workers: 3 each.
    const choice = chooseLeasesToTake(
      'me',
      claims('a', undefined, undefined, undefined, undefined, undefined),
    );
    expect(choice.take).toHaveLength(3);
    expect(choice.steal).toBeUndefined();
    // 5 leases, 2 workers: 3 each, rounded up; it has 2.
    expect(chooseLeasesToTake('me', claims('me', 'me', 'a', 'a', undefined))).toEqual({
      take: ['lease-4'],
      steal: undefined,
    });
  });

  it('takes nothing at its share', () => {
    expect(chooseLeasesToTake('me', claims('me', 'me', 'me', 'a', 'a', 'a'))).toEqual({
      take: [],
      steal: undefined,
    });
    // 4 leases, 2 workers: it has its 2, and leaves the free one to "a".
    expect(chooseLeasesToTake('me', claims('me', 'me', 'a', undefined))).toEqual({
      take: [],
      steal: undefined,
    });
  });

  it('with nothing free, steals one lease per pass from the most-loaded worker above the share', () => {
    const choice = chooseLeasesToTake('me', claims('a', 'a', 'a', 'a', 'b', 'b'));
    // 6 leases, 3 workers: 2 each; "a" has 4.
    expect(choice.take).toEqual([]);
    expect(['lease-0', 'lease-1', 'lease-2', 'lease-3']).toContain(choice.steal);
  });

  it('steals from a worker at the share only when more than one short: 7 over 3 ends 3-2-2, not 3-3-1', () => {
    expect(
      chooseLeasesToTake('me', claims('a', 'a', 'a', 'b', 'b', 'b', 'me')).steal,
    ).toBeDefined();
    expect(
      chooseLeasesToTake('me', claims('a', 'a', 'a', 'b', 'b', 'me', 'me')).steal,
    ).toBeUndefined();
  });

  it('never steals a lease whose hand-off is already under way, nor a single lease between two workers', () => {
    const handingOff = claims('a', 'a', 'a', 'a').map((claim, i) => ({
      ...claim,
      stealable: i === 3,
    }));
    expect(chooseLeasesToTake('me', handingOff).steal).toBe('lease-3');
    expect(chooseLeasesToTake('me', claims('a')).steal).toBeUndefined();
  });

  it('settles six leases between three workers at two each, whoever starts with them', () => {
    const owners = ['a', 'a', 'a', 'a', 'a', 'a'];
    for (let pass = 0; pass < 10; pass++) {
      for (const worker of ['b', 'c', 'a']) {
        const current = owners.map((owner, i) => ({
          leaseKey: `lease-${i}`,
          claimant: owner,
          stealable: true,
        }));
        // Workers that own nothing are invisible to the others until they own something.
        const choice = chooseLeasesToTake(worker, current);
        if (choice.steal) owners[Number(choice.steal.split('-')[1])] = worker;
      }
    }
    const counts = ['a', 'b', 'c'].map(
      (worker) => owners.filter((owner) => owner === worker).length,
    );
    expect(counts).toEqual([2, 2, 2]);
  });
});

describe('claimsOf: how balancing sees the lease table', () => {
  const lease = (shardId: string, fields: Partial<Lease>): Lease => ({
    ...newLease('arn:stream', shardId, [], new Date(0)),
    ...fields,
  });

  it("counts live owners' leases as theirs, a lease being handed over as its next owner's, expired and unowned ones as free", () => {
    const leases = [
      lease('unowned', {}),
      lease('live', { leaseOwner: 'a' }),
      lease('expired', { leaseOwner: 'b' }),
      lease('handing-over', { leaseOwner: 'a', handoffRequestedBy: 'me' }),
      lease('mine', { leaseOwner: 'me' }),
      lease('mine-looks-expired', { leaseOwner: 'me' }),
    ];
    const expired = new Set(['arn:stream#expired', 'arn:stream#mine-looks-expired']);

    const claims = claimsOf(leases, 'me', (each) => expired.has(each.leaseKey));

    expect(claims.map(({ claimant, stealable }) => ({ claimant, stealable }))).toEqual([
      { claimant: undefined, stealable: false },
      { claimant: 'a', stealable: true },
      { claimant: undefined, stealable: false },
      { claimant: 'me', stealable: false },
      { claimant: 'me', stealable: true },
      { claimant: 'me', stealable: true },
    ]);
  });
});
