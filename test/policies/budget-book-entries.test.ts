import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicy, FileBudgetBook } from '../../agents/policies/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { offer } from './helpers.js';

const DAY_AND_WEEK = {
  name: 'all_of',
  params: {
    policies: [
      { name: 'budget_window', params: { limitMsat: 10_000, window: 'day' } },
      { name: 'budget_window', params: { limitMsat: 50_000, window: 'week' } },
    ],
  },
};
const spend = offer({ amountMsat: 4_000, maxFeeMsat: 0 });

async function bookFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'budget-entries-')), 'budgets.json');
}

/** Opens the book, builds the policy on it, asks for `spend` and settles it when `settle`; returns the decision. */
async function ask(path: string, clock: VirtualClock, spec: unknown, settle: boolean) {
  const book = await FileBudgetBook.open(path);
  try {
    const policy = createPolicy(spec, { clock, book });
    const d = await policy.authorize(spend, { nowMs: clock.now() });
    if (d.kind === 'allow') {
      if (settle) policy.settle(d.reservation, 4_000);
      else policy.release(d.reservation);
    }
    return d;
  } finally {
    await book.close();
  }
}

describe('budget book entries', () => {
  it('keeps a day and a week budget_window of one all_of apart: after a restart each has spent 4,000 msat, and 4,000 more fits the day', async () => {
    const path = await bookFile();
    const clock = new VirtualClock();
    expect((await ask(path, clock, DAY_AND_WEEK, true)).kind).toBe('allow');

    const file = JSON.parse(await readFile(path, 'utf8')) as { budgets: Record<string, { spends: unknown }> };
    expect(Object.entries(file.budgets).map(([name, b]) => [name, b.spends])).toEqual([
      ['all_of[0].budget_window:', [[clock.now(), 4_000]]],
      ['all_of[1].budget_window:', [[clock.now(), 4_000]]],
    ]);
    expect((await ask(path, clock, DAY_AND_WEEK, false)).kind).toBe('allow');
  });

  it('names a budget at the top of a policy as before: budget_window:', async () => {
    const path = await bookFile();
    const clock = new VirtualClock();
    await ask(path, clock, { name: 'budget_window', params: { limitMsat: 10_000 } }, true);
    const file = JSON.parse(await readFile(path, 'utf8')) as { budgets: Record<string, unknown> };
    expect(Object.keys(file.budgets)).toEqual(['budget_window:']);
  });

  it('reads the entry budgets of one kind shared before, when its own is new: 8,000 counted there refuses 4,000 more of a 10,000 day (fail closed)', async () => {
    const path = await bookFile();
    const clock = new VirtualClock();
    const at = clock.now();
    const shared = {
      spends: [
        [at, 4_000],
        [at, 4_000],
      ],
      holds: {},
    };
    await writeFile(path, JSON.stringify({ version: 1, budgets: { 'budget_window:': shared } }));
    const d = await ask(path, clock, DAY_AND_WEEK, false);
    expect(d).toMatchObject({
      kind: 'deny',
      outcome: 'over_budget',
      reason:
        'budget_window: 4000 msat (price + fee ceiling) would exceed the limit of 10000 msat (spent 8000, reserved 0)',
    });
  });
});
