import { describe, expect, it } from 'vitest';
import { isOverloaded, settledLoad, type LoadProbe } from '../bench/load.js';

/** A probe whose load average follows `loads` (the last repeats), on a clock that only sleeps advance. */
function probe(loads: number[]): LoadProbe & { slept: number; lines: string[] } {
  let i = 0;
  const p = {
    slept: 0,
    lines: [] as string[],
    load: () => loads[Math.min(i++, loads.length - 1)]!,
    sleep: async (ms: number) => void (p.slept += ms),
    log: (line: string) => void p.lines.push(line),
  };
  return p;
}

describe('bench load', () => {
  it('a quiet machine is measured at once: the load now is the start load', async () => {
    const p = probe([0.4]);
    expect(await settledLoad(120_000, p, 2)).toBe(0.4);
    expect([p.slept, p.lines]).toEqual([0, []]);
  });

  it('a load left by a bench just before is waited out until it falls to half the CPUs', async () => {
    const p = probe([2.3, 1.8, 1.2, 0.9, 0.5]);
    expect(await settledLoad(120_000, p, 2)).toBe(0.9);
    expect(p.slept).toBe(6_000);
    expect(p.lines).toEqual(['waiting up to 120 s for the load average (2.30) to fall to 1']);
  });

  it('a load that never falls is returned after the longest wait, and marks the run overloaded', async () => {
    const p = probe([3.1]);
    const load = await settledLoad(10_000, p, 2);
    expect([load, p.slept, isOverloaded(load, 2)]).toEqual([3.1, 10_000, true]);
  });

  it('overloaded means other work above half the CPUs before the start, whatever the bench itself adds', () => {
    expect([isOverloaded(1, 2), isOverloaded(1.01, 2), isOverloaded(3.9, 8), isOverloaded(4.1, 8)]).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });
});
