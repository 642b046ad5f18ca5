import { describe, expect, it } from 'vitest';
import { createRng, insecureSeededSecrets } from '../../infra/random.js';

describe('seeded rng (sfc32)', () => {
  it('draws the pinned values for seed 42: next, int, bytes', () => {
    const r = createRng(42);
    expect([r.next(), r.next(), r.int(1000)]).toEqual([0.6026507148053497, 0.767392183188349, 818]);
    expect(Array.from(r.bytes(7))).toEqual([239, 220, 93, 75, 187, 149, 55]);
  });

  it('a fork draws the pinned values whatever its parent drew before forking', () => {
    const drawn = createRng(42);
    drawn.next();
    drawn.bytes(7);
    const fresh = createRng(42);
    for (const parent of [drawn, fresh]) {
      const f = parent.fork('buyer/buyer-0001');
      expect(f.next()).toBe(0.5907206954434514);
      expect(f.fork('decider').int(1_000_000)).toBe(864780);
    }
  });

  it('forking "a" then "b" is the stream of the label "a/b"', () => {
    expect(createRng('x').fork('a').fork('b').next()).toBe(0.5764828305691481);
    expect(createRng('x').fork('a/b').next()).toBe(0.5764828305691481);
  });

  it('two forks with one label are separate streams with the same draws', () => {
    const r = createRng(42);
    const a = r.fork('buyer/buyer-0001');
    const b = r.fork('buyer/buyer-0001');
    const fromA = [a.next(), a.next()];
    expect(fromA[0]).toBe(0.5907206954434514);
    expect([b.next(), b.next()]).toEqual(fromA);
  });
});

describe('seeded secrets', () => {
  it('draw the pinned bytes of seed 42, and each fork its own stream by label whatever was drawn before', () => {
    const s = insecureSeededSecrets(createRng(42));
    expect(Array.from(s.bytes(5))).toEqual([55, 81, 71, 154, 106]);
    const node = s.fork('node/0');
    expect(Array.from(node.bytes(3))).toEqual([167, 76, 243]);
    expect(Array.from(node.fork('invoices').bytes(3))).toEqual([147, 203, 20]);
    expect(Array.from(s.fork('node/0').bytes(3))).toEqual([167, 76, 243]);
    expect([s.insecure, node.insecure]).toEqual([true, true]);
  });
});
