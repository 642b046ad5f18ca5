import { describe, expect, it } from 'vitest';
import { settle, VirtualClock, VIRTUAL_EPOCH_MS } from '../../infra/time/virtual-clock.js';
import { createRng } from '../../infra/random.js';

describe('VirtualClock', () => {
  it('starts at the virtual epoch and moves only when asked', async () => {
    const clock = new VirtualClock();
    expect(clock.now()).toBe(VIRTUAL_EPOCH_MS);
    let woke = false;
    void clock.sleep(1000).then(() => (woke = true));
    await clock.advance(999);
    expect(woke).toBe(false);
    await clock.advance(1);
    expect(woke).toBe(true);
    expect(clock.now()).toBe(VIRTUAL_EPOCH_MS + 1000);
  });

  it('wakes sleepers in order of wake time, then of arrival, and jumps straight to each', async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    const nap = (name: string, ms: number) =>
      clock.sleep(ms).then(() => order.push(`${name}@${clock.now()}`));
    void nap('c', 30);
    void nap('a', 10);
    void nap('b', 10);
    void nap('d', 20);
    const wakes = await clock.runUntilIdle();
    expect(wakes).toBe(4);
    expect(order).toEqual(['a@10', 'b@10', 'd@20', 'c@30']);
  });

  it('follows chains of sleeps made by woken tasks', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    async function agent(step: number) {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(step);
        seen.push(clock.now());
      }
    }
    void agent(7);
    void agent(10);
    await clock.runUntilIdle();
    expect(seen).toEqual([7, 10, 14, 20, 21, 28, 30, 35, 40, 50]);
  });

  it('stops before a sleeper due after the horizon', async () => {
    const clock = new VirtualClock(0);
    let woke = false;
    void clock.sleep(500).then(() => (woke = true));
    await clock.runUntilIdle(499);
    expect(woke).toBe(false);
    expect(clock.pending).toBe(1);
    expect(clock.nextWakeAt).toBe(500);
  });

  it('refuses to go backwards', async () => {
    const clock = new VirtualClock(100);
    await expect(clock.advanceTo(99)).rejects.toThrow(/backwards/);
  });

  it('resolves non-positive sleeps at once', async () => {
    const clock = new VirtualClock(0);
    await clock.sleep(0);
    await clock.sleep(-5);
    expect(clock.now()).toBe(0);
  });

  it('drops an aborted sleep: it never wakes, and running until idle does not move time to it', async () => {
    const clock = new VirtualClock();
    const abort = new AbortController();
    const woke: string[] = [];
    void clock.sleep(60_000, abort.signal).then(() => woke.push('aborted'));
    void clock.sleep(1_000).then(() => woke.push('kept'));
    expect(clock.pending).toBe(2);
    abort.abort();
    expect(clock.pending).toBe(1);
    await clock.runUntilIdle();
    expect(woke).toEqual(['kept']);
    expect(clock.now()).toBe(VIRTUAL_EPOCH_MS + 1_000);
    expect(clock.nextWakeAt).toBeUndefined();
  });
});

/**
 * What happens around a wait, in order: a neighbour that takes a macrotask
 * turn of its own at each step and a few microtask hops after each, and the
 * moment the wait returns.
 */
async function around(wait: () => Promise<unknown>, neighbourFirst: boolean): Promise<string[]> {
  const log: string[] = [];
  let turn = 0;
  let done = false;
  const neighbour = (): void => {
    const t = turn++;
    log.push(`turn ${t}`);
    void (async () => {
      for (let hop = 0; hop < 3; hop++) {
        await undefined;
        log.push(`turn ${t} hop ${hop}`);
      }
    })();
    if (!done && turn < 10) setImmediate(neighbour);
  };
  if (neighbourFirst) setImmediate(neighbour);
  const waiting = wait();
  if (!neighbourFirst) setImmediate(neighbour);
  await waiting;
  log.push('waited');
  done = true;
  await new Promise<void>((r) => setImmediate(r));
  return log;
}

describe('settle', () => {
  it("returns at the same point as awaiting one setImmediate promise per turn (0 to 4 turns, its turns queued before or after a neighbour's)", async () => {
    const perTurn = async (turns: number) => {
      for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
    };
    for (const neighbourFirst of [true, false])
      for (const turns of [0, 1, 2, 3, 4]) {
        const expected = await around(() => perTurn(turns), neighbourFirst);
        expect(await around(() => settle(turns), neighbourFirst)).toEqual(expected);
        // The neighbour's turns and hops before it: 4 per turn, one fewer turn when the wait's turns come first.
        expect(expected.indexOf('waited')).toBe(neighbourFirst ? 4 * turns : 4 * Math.max(0, turns - 1));
      }
  });
});

describe('createRng', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('forks independent streams: drawing from one never shifts another', () => {
    const root1 = createRng('s');
    const root2 = createRng('s');
    const x1 = root1.fork('buyer-1');
    root2.fork('buyer-0').next();
    const x2 = root2.fork('buyer-1');
    expect(x1.int(1_000_000)).toBe(x2.int(1_000_000));
  });

  it('draws integers in range (1,000 draws of int(7) from seed 1: each of 0-6 comes up 128 to 162 times, nothing else does) and refuses bad bounds', () => {
    const r = createRng(1);
    const draws = Array.from({ length: 1000 }, () => r.int(7));
    expect(draws.slice(0, 10)).toEqual([2, 0, 2, 3, 0, 0, 3, 1, 2, 3]);
    // How often each value came up, indexed by value: nothing outside 0-6, every value drawn.
    const counts: Record<number, number> = {};
    for (const v of draws) counts[v] = (counts[v] ?? 0) + 1;
    expect(counts).toEqual({ 0: 137, 1: 128, 2: 142, 3: 162, 4: 147, 5: 149, 6: 135 });
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});
