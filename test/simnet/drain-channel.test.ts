import { describe, expect, it } from 'vitest';
import { makeNet } from './helpers.js';

const CAP = 1_000_000_000;

function pair() {
  const { net } = makeNet();
  const alice = net.addNode({ alias: 'alice' });
  const bob = net.addNode({ alias: 'bob' });
  const ch = net.openChannel(alice, bob, { capacityMsat: CAP, pushMsat: 10_000_000 });
  return { net, alice, bob, ch };
}

describe('drainChannel checks leaveMsat: a whole msat amount within the channel', () => {
  it.each([
    [Number.NaN, 'leaveMsat must be a non-negative integer number of millisatoshis, got NaN'],
    [-5_000, 'leaveMsat must be a non-negative integer number of millisatoshis, got -5000'],
    [1.5, 'leaveMsat must be a non-negative integer number of millisatoshis, got 1.5'],
    [CAP + 1, 'leaveMsat must be at most the capacity 1000000000, got 1000000001'],
  ])(
    'leaveMsat %s throws LabError invalid_channel naming it and leaves the balances [990,000,000, 10,000,000]',
    (leaveMsat, message) => {
      const { net, alice, bob, ch } = pair();
      for (const from of [alice, bob])
        expect(() => net.drainChannel(ch, from, leaveMsat)).toThrow(
          expect.objectContaining({ name: 'LabError', code: 'invalid_channel', message }),
        );
      expect(ch.balance).toEqual([990_000_000, 10_000_000]);
      expect(net.audit().ok).toBe(true);
    },
  );

  it('leaveMsat 4,000 leaves bob 4,000 msat and moves 9,996,000 to alice', () => {
    const { net, bob, ch } = pair();
    net.drainChannel(ch, bob, 4_000);
    expect(ch.balance).toEqual([999_996_000, 4_000]);
    expect(net.audit().ok).toBe(true);
  });

  it('leaveMsat at the capacity, above bob’s balance, moves nothing', () => {
    const { net, bob, ch } = pair();
    net.drainChannel(ch, bob, CAP);
    expect(ch.balance).toEqual([990_000_000, 10_000_000]);
  });
});
