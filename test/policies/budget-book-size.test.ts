import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicy, FileBudgetBook } from '../../agents/policies/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { offer } from './helpers.js';

const spend = offer({ amountMsat: 1_000, maxFeeMsat: 0 });

/** Settles `n` spends of 1,000 msat under `spec`, one every `everyMs`, then closes the book. */
async function spendMany(path: string, clock: VirtualClock, spec: unknown, n: number, everyMs: number) {
  const book = await FileBudgetBook.open(path);
  const policy = createPolicy(spec, { clock, book });
  for (let i = 0; i < n; i++) {
    const d = await policy.authorize(spend, { nowMs: clock.now() });
    if (d.kind !== 'allow') throw new Error(`spend ${i} refused: ${d.reason}`);
    policy.settle(d.reservation, 1_000);
    await clock.advance(everyMs);
  }
  await book.close();
}

async function entries(path: string, name = 'budget_window:'): Promise<[number, number][]> {
  const file = JSON.parse(await readFile(path, 'utf8')) as {
    budgets: Record<string, { spends: [number, number][] }>;
  };
  return file.budgets[name]!.spends;
}

/** Asks for `amountMsat` on a reopened book: `allow` (released, not spent) or the refusal. */
async function decide(path: string, clock: VirtualClock, spec: unknown, amountMsat: number) {
  const book = await FileBudgetBook.open(path);
  try {
    const policy = createPolicy(spec, { clock, book });
    const d = await policy.authorize(offer({ amountMsat, maxFeeMsat: 0 }), { nowMs: clock.now() });
    if (d.kind !== 'allow') return d.reason;
    policy.release(d.reservation);
    return 'allow';
  } finally {
    await book.close();
  }
}

describe('a budget book keeps only what can still count', () => {
  const minute = { name: 'budget_window', params: { limitMsat: 60_000, window: 'minute' } };

  it('a one-minute window: 600 spends, one every second, leave the file the 60 of the last minute, and the limit holds after a restart', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'budget-size-')), 'budgets.json');
    const clock = new VirtualClock();
    await spendMany(path, clock, minute, 600, 1_000);
    const kept = await entries(path);
    // Kept as of the last spend (599 s): those of 540..599 s.
    expect(kept.length).toBe(60);
    expect(kept[0]).toEqual([clock.now() - 60_000, 1_000]);
    // At 600 s the window holds the spends of 541..599 s: 59,000 msat; 1,000 more fits, 1,001 does not.
    expect(await decide(path, clock, minute, 1_000)).toBe('allow');
    expect(await decide(path, clock, minute, 1_001)).toBe(
      'budget_window: 1001 msat (price + fee ceiling) would exceed the limit of 60000 msat (spent 59000, reserved 0)',
    );
  });

  it('a calendar day keeps the spends of the current day only', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'budget-size-')), 'budgets.json');
    const clock = new VirtualClock(86_400_000 - 5 * 3_600_000); // 19:00 UTC on day 0
    const day = { name: 'budget_window', params: { limitMsat: 50_000, window: 'day', align: 'calendar' } };
    await spendMany(path, clock, day, 10, 3_600_000); // 19:00 .. 04:00: five on day 0, five on day 1
    const hour = 3_600_000;
    expect((await entries(path)).map(([at]) => at - 86_400_000)).toEqual([
      0,
      hour,
      2 * hour,
      3 * hour,
      4 * hour,
    ]);
  });

  it('an all-time cap keeps two spends: 500 leave the sum of the first 499 and the last, and the limit holds after a restart', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'budget-size-')), 'budgets.json');
    const clock = new VirtualClock();
    const total = { name: 'service_cap', params: { limits: { data: 500_500 } } };
    await spendMany(path, clock, total, 500, 10);
    expect(await entries(path, 'service_cap:data')).toEqual([
      [clock.now() - 20, 499_000],
      [clock.now() - 10, 1_000],
    ]);
    expect(await decide(path, clock, total, 500)).toBe('allow');
    expect(await decide(path, clock, total, 501)).toBe(
      "service_cap 'data': 501 msat (price + fee ceiling) would exceed the limit of 500500 msat (spent 500000, reserved 0)",
    );
  });
});
