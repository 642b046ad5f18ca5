import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  const fix = 'replay another run directory, or record a new one (npm run sim -- run <scenario> --out DIR)';

  /** A copy of the run with one file damaged, and the code and message Replay.load refuses it with. */
  function refusal(damage: (copy: string) => void): { copy: string; code: unknown; message: string } {
    const copy = mkdtempSync(join(tmpdir(), 'replay-bad-'));
    cpSync(dir, copy, { recursive: true });
    damage(copy);
    try {
      Replay.load(copy).close();
    } catch (err) {
      return { copy, code: (err as { code?: unknown }).code, message: (err as Error).message };
    }
    return { copy, code: undefined, message: 'loaded' };
  }
  /** The copy's summary.json, changed by `change`. */
  const changeSummary = (change: (s: Record<string, unknown>) => void) => (c: string) => {
    const file = join(c, 'summary.json');
    const s = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(s);
    writeFileSync(file, JSON.stringify(s));
  };
  const lines = (copy: string, file: string) =>
    readFileSync(join(copy, file), 'utf8').trimEnd().split('\n').length;

  test('an events.jsonl line whose task start is not a number is refused naming the file, line and field', () => {
    const { copy, message } = refusal((c) =>
      appendFileSync(join(c, 'events.jsonl'), '{"t":5,"type":"task","role":"buyer","startedAtMs":"x"}\n'),
    );
    const file = join(copy, 'events.jsonl');
    expect(message).toBe(
      `${file} line ${lines(copy, 'events.jsonl')}: "startedAtMs" must be a finite number ≥ 0, got "x"; ${fix}`,
    );
  });

  test('an events.jsonl time beyond a double (1e400, read as Infinity) is refused as bad_run_file naming the line and "t"', () => {
    const { copy, code, message } = refusal((c) =>
      appendFileSync(join(c, 'events.jsonl'), '{"t":1e400,"type":"step"}\n'),
    );
    const file = join(copy, 'events.jsonl');
    expect([code, message]).toEqual([
      'bad_run_file',
      `${file} line ${lines(copy, 'events.jsonl')}: "t" must be a finite number ≥ 0, got Infinity; ${fix}`,
    ]);
  });

  test('a truncated summary.json is refused naming the file, as sim report refuses it', () => {
    const { copy, message } = refusal((c) => writeFileSync(join(c, 'summary.json'), '{"scenario":'));
    expect(message).toBe(
      `${join(copy, 'summary.json')} is not a run summary (not JSON: Unexpected end of JSON input); ${fix}`,
    );
  });

  test('a summary.json whose endedAtMs is not a number is refused naming the field in plain words', () => {
    const { copy, message } = refusal(changeSummary((s) => (s.endedAtMs = 'abc')));
    expect(message).toBe(
      `${join(copy, 'summary.json')} is not a run summary (endedAtMs: expected a number, got "abc"); ${fix}`,
    );
  });

  test('a summary.json without the fields sim report needs is refused as bad_run_file, naming them, as sim report refuses it', () => {
    const { copy, code, message } = refusal(
      changeSummary((s) => {
        delete s.welfare;
        delete s.groups;
      }),
    );
    expect([code, message]).toEqual([
      'bad_run_file',
      `${join(copy, 'summary.json')} is not a run summary (missing welfare, groups); ${fix}`,
    ]);
  });

  test('a purchases.csv row whose endMs is not a number is refused naming the file, line and field', () => {
    const { copy, message } = refusal((c) => {
      const file = join(c, 'purchases.csv');
      const [header, first, ...rest] = readFileSync(file, 'utf8').split('\n');
      const cells = first!.split(',');
      cells[2] = 'soon'; // endMs
      writeFileSync(file, [header, cells.join(','), ...rest].join('\n'));
    });
    expect(message).toBe(
      `${join(copy, 'purchases.csv')} line 2: "endMs" must be a finite number ≥ 0, got NaN; ${fix}`,
    );
  });

  test('a directory without events.jsonl is refused as bad_run_file, naming the file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'replay-empty-'));
    expect(() => Replay.load(empty)).toThrow(
      expect.objectContaining({
        code: 'bad_run_file',
        message: `${join(empty, 'events.jsonl')} not found: replay needs a run written with events (no --no-events)`,
      }),
    );
  });
});
