import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRng } from '../../infra/random.js';
import { fixedLatency, SimNetwork } from '../../infra/lightning/simnet/index.js';
import type { Payment } from '../../infra/lightning/node.js';
import { systemClock } from '../../infra/time/clock.js';

/** Node's longest single timer (setTimeout fires a longer one after 1 ms); the fake timers do the same. */
const LONGEST = 2 ** 31 - 1;

describe('systemClock waits delays longer than one setTimeout (2^31 - 1 ms)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('setTimer(2^31 + 5 ms) fires at 2^31 + 5 ms, not before', async () => {
    let fired = 0;
    systemClock.setTimer(2 ** 31 + 5, () => fired++);
    await vi.advanceTimersByTimeAsync(2 ** 31 + 4);
    expect(fired).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toBe(1);
  });

  it('sleep(3 × (2^31 - 1) ms) resolves at exactly that time, and a cancelled long timer never fires', async () => {
    let woke = false;
    void systemClock.sleep(3 * LONGEST).then(() => (woke = true));
    let fired = 0;
    const cancel = systemClock.setTimer(2 * LONGEST, () => fired++);
    await vi.advanceTimersByTimeAsync(LONGEST);
    cancel();
    await vi.advanceTimersByTimeAsync(2 * LONGEST - 1);
    expect([woke, fired]).toEqual([false, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect([woke, fired]).toEqual([true, 0]);
  });

  it('a simnet pay on systemClock with timeoutMs 2^31 answers succeeded at 20 ms (10 ms a hop), not in_flight at once', async () => {
    const net = new SimNetwork({ clock: systemClock, rng: createRng(1), latency: fixedLatency(10) });
    const alice = net.addNode({ alias: 'alice' });
    const bob = net.addNode({ alias: 'bob' });
    net.openChannel(alice, bob, { capacityMsat: 1_000_000_000 });
    const inv = await bob.createInvoice({ amountMsat: 10_000 });
    const start = Date.now();
    let answer: [Payment['status'], number] | undefined;
    void alice
      .pay(inv.paymentRequest, { timeoutMs: 2 ** 31 })
      .then((p) => (answer = [p.status, Date.now() - start]));
    await vi.advanceTimersByTimeAsync(19);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer).toEqual(['succeeded', 20]);
  });
});
