import { describe, expect, it } from 'vitest';
import {
  allOf,
  allowAll,
  budgetWindow,
  createPolicy,
  escalateAbove,
  maxPerRequest,
  serviceCap,
  valueBased,
  type PaymentPolicy,
} from '../../agents/policies/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { offer } from './helpers.js';

const ctx = { nowMs: 0 };

/** The policy's ceiling for the test offer (fee ceiling 1,000 msat), and whether it allows an offer at the ceiling and 1 msat above it. */
async function atCeiling(policy: PaymentPolicy, c: { nowMs: number; taskValueMsat?: number } = ctx) {
  const ceiling = policy.ceilingMsat?.(offer(), c);
  if (ceiling === undefined) return { ceiling };
  const kinds = [];
  for (const amountMsat of [ceiling, ceiling + 1]) {
    const d = await policy.authorize(offer({ amountMsat }), c);
    kinds.push(d.kind);
    if (d.kind === 'allow') policy.release(d.reservation);
  }
  return { ceiling, kinds };
}

describe('a policy ceiling (ceilingMsat): the most it would allow the offer to cost', () => {
  it('max_per_request 3,000 msat: 3,000, allowed at 3,000 and denied at 3,001', async () => {
    expect(await atCeiling(maxPerRequest({ maxMsat: 3_000 }))).toEqual({
      ceiling: 3_000,
      kinds: ['allow', 'deny'],
    });
  });

  it('max_per_request 3,000 msat with its fee: 2,000 (less the 1,000 msat fee ceiling)', async () => {
    expect(await atCeiling(maxPerRequest({ maxMsat: 3_000, includeFee: true }))).toEqual({
      ceiling: 2_000,
      kinds: ['allow', 'deny'],
    });
  });

  it('budget_window 10,000 msat with 5,000 held: 4,000 free after the 1,000 msat fee ceiling', async () => {
    const policy = budgetWindow({ limitMsat: 10_000 }, { clock: new VirtualClock(0) });
    const held = await policy.authorize(offer({ amountMsat: 4_000 }), ctx);
    expect(held.kind).toBe('allow');
    expect(await atCeiling(policy)).toEqual({ ceiling: 4_000, kinds: ['allow', 'deny'] });
  });

  it('budget_window with less left than the fee ceiling: 0', () => {
    const policy = budgetWindow({ limitMsat: 900 }, { clock: new VirtualClock(0) });
    expect(policy.ceilingMsat?.(offer(), ctx)).toBe(0);
  });

  it('service_cap without a limit for the offer service: 0 (every price refused)', () => {
    const policy = serviceCap({ limits: { other: 50_000 } }, { clock: new VirtualClock(0) });
    expect(policy.ceilingMsat?.(offer(), ctx)).toBe(0);
  });

  it('value_based, value 10,000, margin 10%: 8,181 (8,181 + 1,000 + 818 = 9,999 < 10,000), denied at 8,182', async () => {
    const policy = valueBased({ marginPpm: 100_000 });
    expect(await atCeiling(policy, { nowMs: 0, taskValueMsat: 10_000 })).toEqual({
      ceiling: 8_181,
      kinds: ['allow', 'deny'],
    });
  });

  it('all_of: value_based with no value, allow_all and escalate_above name no ceiling, so max_per_request 5,000 alone sets it', () => {
    const parts = [valueBased({}), allowAll(), escalateAbove({ thresholdMsat: 1 })];
    expect(parts.map((p) => p.ceilingMsat?.(offer(), ctx))).toEqual([undefined, undefined, undefined]);
    expect(allOf([...parts, maxPerRequest({ maxMsat: 5_000 })]).ceilingMsat?.(offer(), ctx)).toBe(5_000);
  });

  it('all_of: the lowest of its parts (max_per_request 5,000, a budget of 4,500 less fee: 3,500)', async () => {
    const policy = createPolicy(
      {
        name: 'all_of',
        params: {
          policies: [
            { name: 'allow_all' },
            { name: 'max_per_request', params: { maxMsat: 5_000 } },
            { name: 'budget_window', params: { limitMsat: 4_500 } },
          ],
        },
      },
      { clock: new VirtualClock(0) },
    );
    expect(await atCeiling(policy)).toEqual({ ceiling: 3_500, kinds: ['allow', 'deny'] });
    expect(allOf([allowAll()]).ceilingMsat?.(offer(), ctx)).toBeUndefined();
  });
});
