/**
 * A sweep compares each agent group across the grid points as it does the market: a treated
 * group's paired difference from the same group at the baseline, Holm-adjusted over the points,
 * recomputed here by hand from the runs' summary.json; and a group's spentMsat means what
 * summary.json's does: paid to sellers, fees excluded (feesMsat beside it).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../sim/metrics/summary.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { CONSOLE_GROUPS, sweepConsoleTable } from '../../sim/sweep/report.js';
import { mergeDigests, type SweepResult } from '../../sim/sweep/merge.js';
import { digestRun, type DigestedRun } from '../../sim/sweep/digest.js';
import { pairedCell } from '../../sim/sweep/tables.js';

/** One market, two buyer groups alike: `treated`, whose policy the grid varies, and `control`, untouched. */
const group = (name: string) => `
  - name: ${name}
    count: 4
    decider: { name: random }
    policy: { name: allow_all }
    budgetMsat: 500000
    arrivals: { process: poisson, ratePerMin: 3 }
    tasks:
      - capability: anomalies:read
        calls: 2
        value: { dist: uniform, minMsat: 4000, maxMsat: 30000 }`;
const YAML = `name: treated-and-control
description: a treated group beside an untouched control group
seed: 1
durationSec: 40
drainSec: 20
network:
  topology: { kind: ring, routers: 3 }
  hopLatency: { meanMs: 20, sdMs: 5 }
sellers:
  - { name: budget-feed, archetype: data-feed, quality: 0.75, price: { kind: fixed, msat: 2000 } }
  - { name: premium-feed, archetype: data-feed, quality: 0.99, price: { kind: fixed, msat: 6000 } }
  - { name: luxury-feed, archetype: data-feed, quality: 0.99, price: { kind: fixed, msat: 12000 } }
buyers:${group('control')}${group('treated')}
`;

const SEEDS = [1, 2, 3];
/** t quantile 0.975 with 2 degrees of freedom (3 seeds). */
const T_975_DF2 = 4.302652729911275;
/** Two-sided p of Student's t with 2 degrees of freedom, in closed form. */
const pDf2 = (t: number) => 1 - Math.abs(t) / Math.sqrt(2 + t * t);
const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;

describe('a sweep with a treated and a control group', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-groups-'));
  const file = join(dir, 'treated-and-control.yaml');
  const out = join(dir, 'out');
  let r: SweepResult;
  let json: SweepResult;
  let report: string;
  /** summary.json of each point's seeds, read back as a user's script would. */
  const summary = (point: number, seed: number) =>
    JSON.parse(
      readFileSync(join(out, 'runs', `point-${point}`, `seed-${seed}`, 'summary.json'), 'utf8'),
    ) as Summary;

  beforeAll(async () => {
    writeFileSync(file, YAML);
    let path: string | undefined;
    ({ result: r, reportPath: path } = await runSweep({
      scenario: file,
      loaded: loadScenario(file, { checks: scenarioChecks }),
      axes: parseGridArgs([
        'buyers[1].policy={name: allow_all},{name: max_per_request, params: {maxMsat: 7000}},{name: max_per_request, params: {maxMsat: 4000}}',
      ]),
      seeds: SEEDS.length,
      workers: 2,
      outDir: out,
    }));
    json = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepResult;
    report = readFileSync(path!, 'utf8');
  }, 240_000);

  it("gives the treated group's paired difference in spentMsat, Holm-adjusted over its 2 points, as recomputed from the runs' summary.json", () => {
    const spent = (point: number) => SEEDS.map((s) => summary(point, s).groups['treated']!.spentMsat);
    const byHand = [1, 2].map((point) => {
      const d = spent(point).map((v, i) => v - spent(0)[i]!);
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
      const t = mean / (sd / Math.sqrt(d.length));
      const half = (T_975_DF2 * sd) / Math.sqrt(d.length);
      return { mean, sd, low: mean - half, high: mean + half, p: pDf2(t), t, effectSize: mean / sd };
    });
    // Holm over the family of this group's spentMsat compared with the baseline: 2 tests.
    const [lo, hi] = byHand[0]!.p <= byHand[1]!.p ? [0, 1] : [1, 0];
    const pHolm: number[] = [];
    pHolm[lo] = Math.min(1, 2 * byHand[lo]!.p);
    pHolm[hi] = Math.max(pHolm[lo], Math.min(1, byHand[hi]!.p));
    const expected = byHand.map((h, i) => ({
      n: 3,
      mean: round(h.mean),
      sd: round(h.sd),
      low: round(h.low),
      high: round(h.high),
      halfWidth: round(h.high - h.mean),
      t: round(h.t, 3),
      p: round(h.p),
      pHolm: round(pHolm[i]!),
      effectSize: round(h.effectSize, 3),
    }));
    const got = [1, 2].map((i) => json.points[i]!.groups['treated']!.paired!.spentMsat);
    expect(got.map((g) => Object.keys(g))).toEqual(expected.map((e) => Object.keys(e)));
    got.forEach((g, i) => {
      for (const [k, v] of Object.entries(expected[i]!))
        expect(g[k as keyof typeof g], `point ${i + 1} ${k}`).toBeCloseTo(v, 5);
    });
    expect(got.map((g) => [g.mean, g.low, g.high, g.p, g.pHolm])).toEqual([
      [-16000, -29144.821215, -2855.178785, 0.034578, 0.050808],
      [-53333.333333, -90622.990324, -16043.676342, 0.025404, 0.050808],
    ]);
  });

  it('leaves the untouched control group with a paired difference of exactly 0 (its draws are its own), p = 1', () => {
    const d = json.points[2]!.groups['control']!.paired!;
    expect([d.spentMsat.mean, d.spentMsat.sd, d.taskCompletionRate.mean, d.spentMsat.pHolm]).toEqual([
      0, 0, 0, 1,
    ]);
  });

  it("means by a group's spentMsat what summary.json does: fees excluded, fees in feesMsat; the groups' spentMsat sum to the market's", () => {
    const fromSummaries = SEEDS.map((s) => summary(0, s).groups['treated']!);
    expect(fromSummaries.map((g) => [g.spentMsat, g.feesMsat])).toEqual([
      [72000, 3030],
      [94000, 2972],
      [110000, 3462],
    ]);
    // The baseline's mean over the 3 seeds: (72000 + 94000 + 110000) / 3, and the fees' beside it.
    const treated = json.points[0]!.groups['treated']!;
    expect([treated.spentMsat.mean, treated.feesMsat.mean]).toEqual([92000, 3154.666667]);
    const runs = json.runs.filter((x) => x.point === 0);
    expect(runs.map((x) => x.groups['treated']!.spentMsat)).toEqual(fromSummaries.map((g) => g.spentMsat));
    expect(runs.map((x) => x.groups['treated']!.feesMsat)).toEqual(fromSummaries.map((g) => g.feesMsat));
    expect(runs.map((x) => x.groups['control']!.spentMsat + x.groups['treated']!.spentMsat)).toEqual(
      runs.map((x) => x.values['spentMsat']),
    );
  });

  it("writes each run's group metrics to sweep.csv as <group>.<metric> columns, after conservationHolds", () => {
    const rows = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n');
    const header = rows[0]!.split(',');
    expect(header.slice(header.indexOf('conservationHolds'))).toEqual([
      'conservationHolds',
      'control.surplusPerTaskMsat',
      'control.taskCompletionRate',
      'control.paymentSuccessRate',
      'control.spentMsat',
      'control.feesMsat',
      'treated.surplusPerTaskMsat',
      'treated.taskCompletionRate',
      'treated.paymentSuccessRate',
      'treated.spentMsat',
      'treated.feesMsat',
    ]);
    const col = (key: string) =>
      rows.slice(1).map((row) => row.split(',').at(header.indexOf(key) - header.length));
    expect(col('treated.spentMsat')).toEqual(
      [0, 1, 2].flatMap((p) => SEEDS.map((s) => String(summary(p, s).groups['treated']!.spentMsat))),
    );
  });

  it("prints each group's paired differences on the console, one row per group at each point but the baseline", () => {
    const text = sweepConsoleTable(r);
    const rows = text
      .split('\n')
      .filter((l) => /^buyers\[1\]\.policy=max_per_request\S+\s+(control|treated)\s/.test(l));
    expect(rows.map((l) => l.split(/\s{2,}/).slice(0, 2))).toEqual([
      ['buyers[1].policy=max_per_request(maxMsat=7000)', 'control'],
      ['buyers[1].policy=max_per_request(maxMsat=7000)', 'treated'],
      ['buyers[1].policy=max_per_request(maxMsat=4000)', 'control'],
      ['buyers[1].policy=max_per_request(maxMsat=4000)', 'treated'],
    ]);
    expect(text).toContain('Δ surplus per task (msat)');
  });

  it("shows each group's paired differences in report.html, spent and fees in columns of their own", () => {
    const d = json.points[2]!.groups['treated']!.paired!.spentMsat;
    expect(report).toContain('<h3>Paired differences from the same group at the baseline</h3>');
    expect(report).toContain(`<td>P2</td><td>treated</td>`);
    expect(report).toContain(`<td>${pairedCell(d, 3)}</td>`);
    expect(report).toContain('<th>spent (msat)</th>');
    expect(report).toContain('<th>fees (msat)</th>');
    expect(report).not.toContain('spent + fees');
  });
});

describe("the console's agent group table", () => {
  const quickstart = digestRun(
    JSON.parse(readFileSync(new URL('./golden/quickstart-seed1.json', import.meta.url), 'utf8')) as Summary,
  );
  // 2 points × 2 seeds of `count` groups g00, g01, …, each spending 1000 × point + seed; with
  // `taskless`, g01 had no tasks at point 1 seed 2 (surplus per task and completion null).
  const printed = (count: number, taskless = false) => {
    const groups = (point: number, seed: number) =>
      Object.fromEntries(
        Array.from({ length: count }, (_, k) => [
          `g${String(k).padStart(2, '0')}`,
          {
            ...(taskless && k === 1 && point === 1 && seed === 2
              ? { surplusPerTaskMsat: null, taskCompletionRate: null }
              : { surplusPerTaskMsat: 1, taskCompletionRate: 1 }),
            paymentSuccessRate: 1,
            spentMsat: 1000 * point + seed,
            feesMsat: 0,
          },
        ]),
      );
    const runs: DigestedRun[] = [0, 1].flatMap((point) =>
      [1, 2].map((seed) => ({ point, seed, digest: { ...quickstart, groups: groups(point, seed) } })),
    );
    const points = [0, 1].map((index) => ({ index, label: `p${index}`, overrides: {} }));
    return sweepConsoleTable(mergeDigests('x', [], points, runs));
  };

  it(`lists the first ${CONSOLE_GROUPS} of 12 groups of a point by name and says where all of them are`, () => {
    const text = printed(12);
    const listed = text.split('\n').filter((l) => /^p1\s+g\d\d\s/.test(l));
    expect(listed.map((l) => l.split(/\s+/)[1])).toEqual(
      Array.from({ length: 10 }, (_, k) => `g${String(k).padStart(2, '0')}`),
    );
    expect(text).toContain(
      `the first ${CONSOLE_GROUPS} groups of each point by name; every group metric (spent, fees) and each group's means: sweep.json (points[].groups) and report.html (Agent groups)`,
    );
  });

  it("is left out with one group, whose figures are the market's, printed above", () => {
    expect(printed(2)).toContain('per agent group, against the same group at the baseline');
    expect(printed(1)).not.toContain('per agent group');
  });

  it("marks a group's paired difference over fewer seeds (n=1) and adds the note saying why", () => {
    const text = printed(2, true);
    const row = text.split('\n').find((l) => /^p1\s+g01\s/.test(l))!;
    expect(row.split(/\s{2,}/).slice(2)).toEqual([
      '0.000 [n/a] p=n/a d=n/a (n=1)',
      '0.000 [n/a] p=n/a d=n/a (n=1)',
      '0.000 [0.000, 0.000] p=1.000 d=0.00',
    ]);
    expect(text).toContain("(n=k): only k of the point's runs had the metric");
    expect(printed(2)).not.toContain('(n=k)');
  });
});
