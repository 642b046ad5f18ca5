import { describe, expect, it } from 'vitest';
import { LiveState, MAX_FLOWS } from '../../sim/live/state.js';

const step = (t: number, buyer: string, seller: string, data: Record<string, unknown>) =>
  ({
    kind: 'event',
    t,
    type: 'step',
    data: { buyer, url: `http://${seller}.sellers.sim/v1/x`, ...data },
  }) as const;

describe('LiveState flows (purchases in progress)', () => {
  it('moves a flow through quote, decide and pay, keeps its amount and hops, and ends it at consume', () => {
    const s = new LiveState();
    s.agent('b1', 'buyers', 'buyer');
    s.apply(step(1, 'b1', 'feed', { step: 'challenge', amountMsat: 5_000 }));
    expect(s.view().flows).toEqual([
      { buyer: 'b1', seller: 'feed', phase: 'quote', amountMsat: 5_000, hops: 0 },
    ]);
    expect(s.view().sellers).toEqual([
      {
        name: 'feed',
        group: 'feed',
        quotedMsat: 5_000,
        sales: 0,
        revenueMsat: 0,
        failures: 0,
        offline: false,
      },
    ]);
    s.apply(step(2, 'b1', 'feed', { step: 'authorize', decision: 'allow', amountMsat: 4_000 }));
    s.apply(step(3, 'b1', 'feed', { step: 'pay', ok: true, hops: 2 }));
    expect(s.view().flows).toEqual([
      { buyer: 'b1', seller: 'feed', phase: 'pay', amountMsat: 4_000, hops: 2 },
    ]);
    expect(s.agents.get('b1')!.phase).toBe('pay');
    s.apply(step(4, 'b1', 'feed', { step: 'consume' }));
    expect(s.view().flows).toEqual([]);
    expect(s.agents.get('b1')!.phase).toBe('consume');
  });

  it('ends a flow refused at authorize or failed at pay or check, and ignores steps the page does not draw', () => {
    const s = new LiveState();
    s.apply(step(1, 'b1', 'a', { step: 'challenge' }));
    s.apply(step(1, 'b1', 'b', { step: 'challenge' }));
    s.apply(step(1, 'b1', 'c', { step: 'challenge' }));
    s.apply(step(1, 'b1', 'd', { step: 'challenge' }));
    s.apply(step(2, 'b1', 'a', { step: 'authorize', decision: 'deny' }));
    s.apply(step(2, 'b1', 'b', { step: 'pay', ok: false }));
    s.apply(step(2, 'b1', 'c', { step: 'check', ok: false }));
    s.apply(step(2, 'b1', 'd', { step: 'discover-something' }));
    expect(s.view().flows.map((f) => `${f.seller}:${f.phase}`)).toEqual(['d:quote']);
  });

  it('shows the most recently active MAX_FLOWS flows, newest first, and drops a buyer’s flows when its last task ends', () => {
    const s = new LiveState();
    for (let i = 0; i < MAX_FLOWS + 2; i++) s.apply(step(i, `b${i}`, 'feed', { step: 'challenge' }));
    const flows = s.view().flows;
    expect(flows.length).toBe(MAX_FLOWS);
    expect(flows[0]!.buyer).toBe(`b${MAX_FLOWS + 1}`);
    expect(flows.at(-1)!.buyer).toBe('b2');
    s.apply({
      kind: 'event',
      t: 99,
      type: 'task',
      data: { buyer: 'b16', group: 'g', role: 'buyer', done: false },
    });
    const after = s.view().flows.map((f) => f.buyer);
    expect(after).not.toContain('b16');
    expect([after.length, after[0], after.at(-1)]).toEqual([MAX_FLOWS, 'b15', 'b1']);
  });
});

describe('LiveState presenter price (replaying runs recorded before repricing sellers refused it)', () => {
  const priceChange = {
    kind: 'event',
    t: 10,
    type: 'fault',
    data: { kind: 'price_change', target: 'rival-0', detail: 'price now 7000 msat (presenter)' },
  } as const;
  const repriced = (fromMsat: number, toMsat: number) =>
    ({
      kind: 'event',
      t: 20,
      type: 'reprice',
      data: { seller: 'rival-0', fromMsat, toMsat, move: 'undercut' },
    }) as const;

  it('drops the presenter price once the seller moves its own price away from it', () => {
    const s = new LiveState();
    s.seller('rival-0', 'rival');
    s.apply(priceChange);
    expect(s.view().sellers[0]!.priceMsat).toBe(7000);
    s.apply(repriced(7000, 3750));
    expect(s.view().sellers[0]!.priceMsat).toBeUndefined();
  });

  it('keeps the presenter price while the seller’s own step leaves it unchanged', () => {
    const s = new LiveState();
    s.seller('rival-0', 'rival');
    s.apply(priceChange);
    s.apply(repriced(7000, 7000));
    expect(s.view().sellers[0]!.priceMsat).toBe(7000);
  });
});
