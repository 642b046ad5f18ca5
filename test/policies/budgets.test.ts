import { describe, expect, it } from 'vitest';
import { createPolicy, type PaymentPolicy, type Reservation } from '../../agents/policies/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { offer } from './helpers.js';

async function reserve(policy: PaymentPolicy, clock: VirtualClock, over = {}): Promise<Reservation | string> {
  const d = await policy.authorize(offer(over), { nowMs: clock.now() });
  return d.kind === 'allow' ? d.reservation : d.kind === 'deny' ? d.outcome : d.kind;
}

/** What an allow holds (price + fee ceiling, msat), or the refusal's outcome. */
async function held(policy: PaymentPolicy, clock: VirtualClock, over = {}): Promise<number | string> {
  const r = await reserve(policy, clock, over);
  return typeof r === 'string' ? r : r.amountMsat;
}

describe('budget_window', () => {
  it('holds price plus fee ceiling until settled, then counts only what was spent', async () => {
    const clock = new VirtualClock();
    const policy = createPolicy({ name: 'budget_window', params: { limitMsat: 25_000 } }, { clock });
    const a = await reserve(policy, clock); // holds 11,000
    const b = await reserve(policy, clock); // holds 11,000 → 22,000
    expect(await reserve(policy, clock)).toBe('over_budget');
    policy.settle(a as Reservation, 10_200); // spent 10,200 + held 11,000
    expect(await reserve(policy, clock)).toBe('over_budget');
    policy.release(b as Reservation); // spent 10,200
    expect(await held(policy, clock)).toBe(11_000);
  });

  it('settling or releasing twice counts once', async () => {
    const clock = new VirtualClock();
    const policy = createPolicy({ name: 'budget_window', params: { limitMsat: 22_000 } }, { clock });
    const a = (await reserve(policy, clock)) as Reservation;
    policy.settle(a, 11_000);
    policy.settle(a, 11_000);
    policy.release(a);
    expect(await held(policy, clock)).toBe(11_000);
    expect(await reserve(policy, clock)).toBe('over_budget');
  });

  it('a rolling hour frees money exactly one hour after it was spent', async () => {
    const clock = new VirtualClock();
    const policy = createPolicy(
      { name: 'budget_window', params: { limitMsat: 11_000, window: 'hour' } },
      { clock },
    );
    policy.settle((await reserve(policy, clock)) as Reservation, 11_000);
    await clock.advance(3_600_000 - 1);
    expect(await reserve(policy, clock)).toBe('over_budget');
    await clock.advance(1);
    expect(await held(policy, clock)).toBe(11_000);
  });

  it('a calendar day resets at midnight UTC on the clock', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 23, 0));
    const policy = createPolicy(
      { name: 'budget_window', params: { limitMsat: 11_000, window: 'day', align: 'calendar' } },
      { clock },
    );
    policy.settle((await reserve(policy, clock)) as Reservation, 11_000);
    await clock.advanceTo(Date.UTC(2026, 0, 1, 23, 59, 59, 999));
    expect(await reserve(policy, clock)).toBe('over_budget');
    await clock.advanceTo(Date.UTC(2026, 0, 2));
    expect(await held(policy, clock)).toBe(11_000);
  });

  it('a denial reports limit, spent and reserved amounts', async () => {
    const clock = new VirtualClock();
    const policy = createPolicy({ name: 'budget_window', params: { limitMsat: 15_000 } }, { clock });
    await reserve(policy, clock);
    const d = await policy.authorize(offer(), { nowMs: clock.now() });
    expect(d.kind === 'deny' && d.reason).toBe(
      'budget_window: 11000 msat (price + fee ceiling) would exceed the limit of 15000 msat (spent 0, reserved 11000)',
    );
  });
});

describe('service and category caps', () => {
  it('each service has its own cap and unlisted services use the default', async () => {
    const clock = new VirtualClock();
    const policy = createPolicy(
      { name: 'service_cap', params: { limits: { data: 11_000 }, defaultMsat: 22_000 } },
      { clock },
    );
    expect(await held(policy, clock, { service: 'data' })).toBe(11_000);
    expect(await reserve(policy, clock, { service: 'data' })).toBe('over_budget');
    expect(await held(policy, clock, { service: 'compute' })).toBe(11_000);
    expect(await held(policy, clock, { service: 'compute' })).toBe(11_000);
    expect(await reserve(policy, clock, { service: 'compute' })).toBe('over_budget');
  });

  it('without a default, unlisted categories are refused (fail closed)', async () => {
    const clock = new VirtualClock();
    const policy = createPolicy({ name: 'category_cap', params: { limits: { feeds: 0 } } }, { clock });
    expect(await reserve(policy, clock, { category: 'feeds' })).toBe('over_budget');
    expect(await reserve(policy, clock, { category: 'llm' })).toBe('policy_denied');
  });
});

describe('budgets under concurrency', () => {
  it('200 concurrent purchases with random pay times never overspend by one msat: 77 fit in the first wave (61 paid, 781,800 msat), 17 more in a second (75 paid, 959,300 msat of 1,000,000)', async () => {
    const clock = new VirtualClock();
    const limitMsat = 1_000_000;
    const policy = createPolicy({ name: 'budget_window', params: { limitMsat, window: 'day' } }, { clock });
    let spent = 0;
    let paid = 0;
    // Each buyer: authorize, "pay" for a seeded pseudo-random time, then settle or (1 in 5) fail and release.
    const buyer = async (i: number) => {
      const d = await policy.authorize(offer({ amountMsat: 9_000 + (i % 7) * 1_000 }), {
        nowMs: clock.now(),
      });
      if (d.kind !== 'allow') return;
      await clock.sleep(((i * 7919) % 97) + 1);
      if (i % 5 === 0) return policy.release(d.reservation);
      const actual = d.reservation.amountMsat - (i % 3) * 100;
      spent += actual;
      paid++;
      policy.settle(d.reservation, actual);
    };
    const wave = Array.from({ length: 200 }, (_, i) => buyer(i));
    await clock.runUntilIdle();
    await Promise.all(wave);
    // Holds of price + fee ceiling (10,000-16,000 msat) are taken in order: the first 77 fit in
    // 1,000,000; 16 of them fail and release, 61 settle 0-200 msat under what they held.
    expect([paid, spent]).toEqual([61, 781_800]);
    // A second wave after the first settled uses what failures and unused fee ceilings left free:
    // 17 more holds fit in the 218,200 left, 14 of them pay.
    const wave2 = Array.from({ length: 200 }, (_, i) => buyer(i + 1));
    await clock.runUntilIdle();
    await Promise.all(wave2);
    expect([paid, spent]).toEqual([75, 959_300]);
    // Nothing leaked: exactly the unspent remainder can still be reserved, and not one msat more.
    const rest = limitMsat - spent;
    const ask = (amountMsat: number) =>
      policy.authorize(offer({ amountMsat, maxFeeMsat: 0 }), { nowMs: clock.now() });
    expect((await ask(rest + 1)).kind).toBe('deny');
    expect((await ask(rest)).kind).toBe('allow');
  });
});
