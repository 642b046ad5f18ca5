/**
 * A snapshot stays bounded whatever sellers the folded events name: at most
 * MAX_SELLERS seller rows and sellers in failuresBySeller (the most active),
 * the rest counted; at most MAX_UNDECLARED_SELLERS undeclared sellers tracked;
 * at most MAX_TRACKED_FLOWS purchases in progress held.
 */
import { describe, expect, it } from 'vitest';
import { Flows, MAX_TRACKED_FLOWS } from '../../sim/live/flows.js';
import { LiveState, MAX_SELLERS, MAX_UNDECLARED_SELLERS, type LiveInput } from '../../sim/live/state.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';

const challenge = (seller: string): LiveInput => ({
  kind: 'event',
  t: 1,
  type: 'step',
  data: { buyer: 'b', url: `http://${seller}.sellers.sim/`, step: 'challenge', amountMsat: 7 },
});

const sale = (seller: string): LiveInput => ({
  kind: 'sale',
  seller,
  group: seller,
  amountMsat: 10,
  reseller: false,
});

const failed = (seller: string, outcome: string): LiveInput => ({
  kind: 'purchase',
  row: { buyer: 'b', group: 'g', role: 'buyer', seller, outcome, paidMsat: 0, feeMsat: 0 } as PurchaseRow,
});

describe('seller rows in a snapshot', () => {
  it(`carries the first ${MAX_SELLERS} of 200 sellers named only by challenges and counts the other 150`, () => {
    const s = new LiveState();
    for (let i = 0; i < 200; i++) s.apply(challenge(`s${i}`));
    const v = s.view();
    expect(v.sellers.map((x) => x.name)).toEqual(Array.from({ length: MAX_SELLERS }, (_, i) => `s${i}`));
    expect(v.sellersNotShown).toBe(150);
  });

  it('carries the most active sellers, in the order first seen, when there are more than MAX_SELLERS', () => {
    const s = new LiveState();
    for (let i = 0; i < 100; i++) s.seller(`s${i}`, 'g');
    for (const i of [99, 70, 3]) s.apply(sale(`s${i}`));
    const names = s.view().sellers.map((x) => x.name);
    expect(names.length).toBe(MAX_SELLERS);
    expect(names.slice(0, 4)).toEqual(['s0', 's1', 's2', 's3']);
    expect(names.slice(-3)).toEqual(['s47', 's70', 's99']);
    expect(s.view().sellersNotShown).toBe(50);
  });

  it(`tracks ${MAX_UNDECLARED_SELLERS} undeclared sellers; the ones after are only counted`, () => {
    const s = new LiveState();
    s.seller('declared', 'g');
    for (let i = 0; i < MAX_UNDECLARED_SELLERS + 200; i++) s.apply(challenge(`u${i}`));
    // Past the limit a seller's sale still counts in the totals, but gets no row.
    s.apply(sale(`u${MAX_UNDECLARED_SELLERS + 5}`));
    s.apply(sale('u0'));
    const v = s.view();
    expect(v.sellersNotShown).toBe(MAX_UNDECLARED_SELLERS + 1 + 200 - MAX_SELLERS);
    expect(v.sellers.map((x) => x.name).slice(0, 3)).toEqual(['declared', 'u0', 'u1']);
    expect(v.sellers.find((x) => x.name === `u${MAX_UNDECLARED_SELLERS + 5}`)).toBeUndefined();
    expect([v.totals.sales, v.totals.revenueMsat]).toEqual([2, 20]);
  });

  it('shows the same rows as before for a market of at most MAX_SELLERS sellers, and counts none out', () => {
    const s = new LiveState();
    s.seller('a-0', 'a');
    s.apply(challenge('b-0'));
    s.apply(sale('a-0'));
    const v = s.view();
    expect(v.sellers).toEqual([
      { name: 'a-0', group: 'a', quotedMsat: 0, sales: 1, revenueMsat: 10, failures: 0, offline: false },
      { name: 'b-0', group: 'b-0', quotedMsat: 7, sales: 0, revenueMsat: 0, failures: 0, offline: false },
    ]);
    expect([v.sellersNotShown, v.failingSellersNotShown]).toEqual([0, 0]);
  });
});

describe('failuresBySeller in a snapshot', () => {
  it(`lists the ${MAX_SELLERS} sellers with the most failures and counts the others`, () => {
    const s = new LiveState();
    for (let i = 0; i < 80; i++) s.apply(failed(`f${i}`, 'timeout'));
    for (const i of [79, 60]) s.apply(failed(`f${i}`, 'no_route'));
    const v = s.view();
    const names = Object.keys(v.failuresBySeller);
    expect(names.length).toBe(MAX_SELLERS);
    expect(names.slice(-2)).toEqual(['f60', 'f79']);
    expect(v.failuresBySeller.f79).toEqual({ timeout: 1, no_route: 1 });
    expect(v.failingSellersNotShown).toBe(30);
    expect(v.failures).toEqual([
      { outcome: 'timeout', count: 80 },
      { outcome: 'no_route', count: 2 },
    ]);
  });

  it('keeps an outcome named "__proto__" as a count like any other', () => {
    const s = new LiveState();
    s.apply(failed('x', '__proto__'));
    s.apply(failed('x', '__proto__'));
    expect(JSON.stringify(s.view().failuresBySeller)).toBe('{"x":{"__proto__":2}}');
  });
});

describe('purchases in progress', () => {
  it(`holds at most ${MAX_TRACKED_FLOWS}, dropping the least recently active, and shows the newest first`, () => {
    const f = new Flows();
    for (let i = 0; i <= MAX_TRACKED_FLOWS; i++) f.step('b', `s${i}`, 'quote', { step: 'challenge' }, i + 1);
    expect(f.size).toBe(MAX_TRACKED_FLOWS);
    f.step('b', 's1', 'decide', { step: 'check' }, MAX_TRACKED_FLOWS + 2);
    expect(
      f
        .view()
        .slice(0, 2)
        .map((x) => `${x.seller}:${x.phase}`),
    ).toEqual(['s1:decide', `s${MAX_TRACKED_FLOWS}:quote`]);
    expect(f.view().at(-1)!.seller).toBe(`s${MAX_TRACKED_FLOWS - 13}`);
  });
});
