/**
 * summary.json's schema holds the values each field can take (a rate in [0, 1], a count whole and
 * not negative, an amount whole msat, a latency not negative), and it is the one schema both
 * readers use: `sim report` (and the replay) reading a run's summary.json, and a sweep reading a
 * worker's reply. A summary with a rate of 5 used to be drawn by `sim report` while a sweep
 * refused it.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSummary } from '../../sim/report/read-run.js';
import { checkedReply } from '../../sim/sweep/reply-schema.js';
import type { Summary } from '../../sim/metrics/summary.js';

const golden = readFileSync('test/sim/golden/quickstart-seed1.json', 'utf8');
type Doc = Record<string, Record<string, unknown>>;

/** Quickstart's golden summary with `edit` made to it. */
function edited(edit: (s: Doc) => void): Doc {
  const s = JSON.parse(golden) as Doc;
  edit(s);
  return s;
}

/** A temporary run directory whose summary.json is `summary`. */
function runDirOf(summary: Doc): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-summary-bounds-'));
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}

/** What `f` throws (failing the test when it throws nothing). */
function thrown(f: () => unknown): { code?: string; message: string } {
  try {
    f();
  } catch (e) {
    return e as { code?: string; message: string };
  }
  return expect.unreachable('nothing was refused');
}

/** A finished run's reply to run 0 (seed 1) carrying `summary`. */
const replyWith = (summary: Doc) => ({
  id: 0,
  ok: true as const,
  summary: summary as unknown as Summary,
  pointHash: 'a'.repeat(64),
  wallMs: 1,
});

/** Why `sim report` refuses `summary` as a run's summary.json. */
function fileRefusal(summary: Doc): string {
  const dir = runDirOf(summary);
  const err = thrown(() => readSummary(dir));
  expect(err.code).toBe('bad_run_file');
  return err.message.replace(`${dir}/summary.json is not a run summary (`, '').replace(/\); re-run .*$/, '');
}

/** Why a sweep refuses `summary` in the reply of run 0 (seed 1). */
function replyRefusal(summary: Doc): string {
  const err = thrown(() => checkedReply(replyWith(summary), { id: 0, seed: 1 }, (why) => new Error(why)));
  return err.message.replace(/^its summary: /, '');
}

describe('a summary a run could not have written is refused alike in summary.json and in a sweep’s reply', () => {
  it.each([
    [
      'a payment success rate of 5',
      (s: Doc) => {
        s.purchases!.paymentSuccessRate = 5;
      },
      'purchases.paymentSuccessRate: expected at most 1',
    ],
    [
      'a fractional count, a negative spend, an unsafe msat total, a group rate below 0',
      (s: Doc) => {
        s.purchases!.attempts = 1.5;
        s.money!.spentMsat = -5;
        s.welfare!.totalMsat = 1e300;
        (s.groups!.bargain as Record<string, unknown>).paymentSuccessRate = -0.5;
      },
      'purchases.attempts: expected an integer, got 1.5; money.spentMsat: expected at least 0; ' +
        'welfare.totalMsat: expected at most 9,007,199,254,740,991; groups.bargain.paymentSuccessRate: expected at least 0',
    ],
    [
      'a negative p95 latency and an HHI of 2',
      (s: Doc) => {
        (s.latency!.attempts as Record<string, unknown>).p95 = -1;
        s.market!.hhi = 2;
      },
      'latency.attempts.p95: expected at least 0; market.hhi: expected at most 1',
    ],
  ])('%s', (_what, edit, why) => {
    const summary = edited(edit);
    expect(fileRefusal(summary)).toBe(why);
    expect(replyRefusal(summary)).toBe(why);
  });

  it('quickstart’s golden summary passes both as it is', () => {
    const summary = edited(() => {});
    expect(readSummary(runDirOf(summary))).toEqual(summary);
    const reply = replyWith(summary);
    expect(checkedReply(reply, { id: 0, seed: 1 }, (why) => new Error(why))).toBe(reply);
  });
});
