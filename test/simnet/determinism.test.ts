import { describe, expect, it } from 'vitest';
import { randomLoad } from './load.js';

const summary = (r: Awaited<ReturnType<typeof randomLoad>>) => ({
  pubkeys: r.pubkeys,
  endedAt: r.endedAt,
  payments: r.payments.map(({ payer, payee, payment: p }) => [
    payer,
    payee,
    p.status,
    p.failure?.reason,
    p.feeMsat,
    p.attempts,
    p.hops,
    p.createdAt,
    p.resolvedAt,
    p.preimage,
  ]),
});

describe('the same seed', () => {
  it('gives the same pubkeys, the same payment outcomes and the same timings', async () => {
    const a = summary(await randomLoad(5, { count: 150 }));
    const b = summary(await randomLoad(5, { count: 150 }));
    expect(a).toEqual(b);
    expect(new Set(a.payments.map((p) => p[2]))).toEqual(new Set(['succeeded', 'failed']));
  });

  it('and another seed gives other keys and another history', async () => {
    const a = summary(await randomLoad(5, { count: 50 }));
    const c = summary(await randomLoad(6, { count: 50 }));
    expect(c.pubkeys[0]).not.toBe(a.pubkeys[0]);
    expect(c.payments).not.toEqual(a.payments);
  });
});
