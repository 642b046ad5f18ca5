import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { runScenario } from '../../sim/run.js';
import { Replay } from '../../sim/live/replay.js';
import type { Summary } from '../../sim/metrics/summary.js';

describe('Replay of a finished run', () => {
  let dir: string;
  let summary: Summary;
  let replay: Replay;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-'));
    // An override the scenario file does not have: the replay must show the budgets the run had.
    const scenario = loadScenario('quickstart', { overrides: { 'buyers[0].budgetMsat': 390_000 } });
    ({ summary } = await runScenario(scenario, { outDir: dir, png: false }));
    replay = Replay.load(dir, { speed: 1 });
    await replay.apply({ type: 'pause' });
  }, 600_000);
  afterAll(() => replay?.close());

  test('seeking to the end shows the totals of summary.json and its conservation check', () => {
    replay.seek(replay.endMs);
    const s = replay.snapshot();
    expect(s.status).toBe('finished');
    expect(s.totals).toMatchObject({
      purchases: summary.purchases.total,
      byOutcome: summary.purchases.byOutcome,
      spentMsat: summary.money.spentMsat,
      feesMsat: summary.money.feesMsat,
      revenueMsat: Object.values(summary.sellers).reduce((a, v) => a + v.revenueMsat, 0),
      sales: summary.money.sales,
      tasks: summary.welfare.tasks,
      tasksDone: summary.welfare.done,
    });
    expect(s.totals.conservation?.ok).toBe(summary.conservation.holds);
  });

  test("the buyers' budgets are the run's, overrides included, read from meta.json", () => {
    const budgets = Object.fromEntries(replay.snapshot().groups.map((g) => [g.name, g.budgetMsat]));
    expect(budgets).toEqual({ bargain: 3 * 390_000, quality: 2 * 400_000 });
  });

  test('seeking back to the start shows an empty market again', () => {
    replay.seek(replay.endMs);
    replay.seek(0);
    const s = replay.snapshot();
    expect([s.tMs, s.totals.purchases, s.totals.spentMsat, s.recent.length]).toEqual([0, 0, 0, 0]);
  });

  test('presenter actions are refused: a replay shows what was recorded', async () => {
    expect(await replay.apply({ type: 'seller_offline', seller: 'cheap-feed-0', offline: true })).toEqual({
      ok: false,
      code: 'not_supported',
      message: 'a replay shows a recorded run: presenter actions need a live market',
    });
  });

  test('a directory without events.jsonl is refused, naming the file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'replay-empty-'));
    expect(() => Replay.load(empty)).toThrow(`${join(empty, 'events.jsonl')} not found`);
  });
});
