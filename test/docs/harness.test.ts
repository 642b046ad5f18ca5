import { afterEach, describe, expect, it } from 'vitest';
import { interleave, measure } from '../bench/harness.js';

describe('bench harness', () => {
  const realGc = globalThis.gc;
  afterEach(() => {
    globalThis.gc = realGc;
  });

  it('a synchronous case is called without awaiting: no microtask runs between its calls', async () => {
    let calls = 0;
    let callsWhenMicrotaskRan = -1;
    queueMicrotask(() => (callsWhenMicrotaskRan = calls));
    const m = await measure('sync', () => calls++, { minMs: 2, warmup: 3 });
    expect(callsWhenMicrotaskRan).toBe(m.ops + 3);
  });

  it('an untimed warm-up round, then rounds in rotated order, a full GC before every row', async () => {
    const log: string[] = [];
    globalThis.gc = Object.assign(() => void log.push('gc'), {}) as typeof globalThis.gc;
    const run = (name: string) => () => {
      if (log.at(-1) !== name) log.push(name);
    };
    const rows = await interleave(
      [
        { name: 'a', run: run('a'), warmup: 0 },
        { name: 'b', run: run('b'), warmup: 0 },
      ],
      { rounds: 2, minMs: 1 },
    );
    expect(log).toEqual(['gc', 'a', 'gc', 'b', 'gc', 'a', 'gc', 'b', 'gc', 'b', 'gc', 'a']);
    expect(rows.map((r) => [r.name, r.samples.length])).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
  });
});
