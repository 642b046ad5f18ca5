import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { svgToPng, toSvg } from '../report/render.js';
import { chartGrid, htmlPage, htmlTable, type RenderedChart } from '../report/html.js';
import { textTable } from '../report/format.js';
import { SWEEP_METRICS, type SweepResult } from './merge.js';
import {
  HEADLINE,
  fewSeedsNote,
  legendTable,
  metricGroups,
  pairedTable,
  pointCell,
  pointId,
  pointTable,
  sellerShareTable,
  type PointName,
} from './tables.js';

const CHART_METRICS = HEADLINE;

/** msat as sat, an undefined bound staying undefined. */
const sat = (msat: number | null) => (msat === null ? null : msat / 1000);

/** A bar per grid point with its 95% interval as an error bar. */
function intervalChart(r: SweepResult, key: string, title: string): TopLevelSpec {
  const values = r.points.map((p) => {
    const iv = p.metrics[key]!;
    return { label: p.label, mean: iv.mean, low: iv.low, high: iv.high };
  });
  return {
    width: 520,
    height: Math.max(120, 28 * values.length),
    background: 'white',
    config: { font: 'DejaVu Sans' },
    title,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } },
          x: { field: 'mean', type: 'quantitative', title },
        },
      },
      {
        // An undefined interval (one seed) has no error bar.
        transform: [{ filter: 'isValid(datum.low)' }],
        mark: { type: 'rule', color: 'black' },
        encoding: {
          y: { field: 'label', type: 'nominal', sort: null },
          x: { field: 'low', type: 'quantitative' },
          x2: { field: 'high' },
        },
      },
    ],
  };
}

/** Welfare per task of each agent group at each grid point, with intervals: the policy comparison. */
function groupChart(r: SweepResult): TopLevelSpec | undefined {
  const values = r.points.flatMap((p) =>
    Object.entries(p.groups).map(([g, v]) => ({
      row: r.points.length > 1 ? `${p.label} / ${g}` : g,
      mean: v.surplusPerTaskMsat.mean / 1000,
      low: sat(v.surplusPerTaskMsat.low),
      high: sat(v.surplusPerTaskMsat.high),
    })),
  );
  if (values.length < 2) return undefined;
  return {
    width: 520,
    height: Math.max(120, 24 * values.length),
    background: 'white',
    config: { font: 'DejaVu Sans' },
    title: 'Buyer surplus per task by agent group (sat, 95% CI)',
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'row', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } },
          x: { field: 'mean', type: 'quantitative', title: 'sat per task' },
        },
      },
      {
        // An undefined interval (one seed) has no error bar.
        transform: [{ filter: 'isValid(datum.low)' }],
        mark: { type: 'rule', color: 'black' },
        encoding: {
          y: { field: 'row', type: 'nominal', sort: null },
          x: { field: 'low', type: 'quantitative' },
          x2: { field: 'high' },
        },
      },
    ],
  };
}

/** Each point minus the baseline, paired over seeds, with its 95% interval and a rule at zero. */
function pairedChart(r: SweepResult, key: string, title: string): TopLevelSpec | undefined {
  const values = r.points
    .filter((p) => p.paired)
    .map((p) => ({
      label: p.label,
      mean: p.paired![key]!.mean,
      low: p.paired![key]!.low,
      high: p.paired![key]!.high,
    }));
  if (values.length === 0) return undefined;
  return {
    width: 520,
    height: Math.max(120, 28 * values.length),
    background: 'white',
    config: { font: 'DejaVu Sans' },
    title,
    data: { values },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } },
          x: { field: 'mean', type: 'quantitative', title: `Δ ${title} vs baseline` },
        },
      },
      {
        // An undefined interval (one seed) has no error bar.
        transform: [{ filter: 'isValid(datum.low)' }],
        mark: { type: 'rule', color: 'black' },
        encoding: {
          y: { field: 'label', type: 'nominal', sort: null },
          x: { field: 'low', type: 'quantitative' },
          x2: { field: 'high' },
        },
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { x: { field: 'zero', type: 'quantitative' } },
      },
    ],
  };
}

/** The merged table for the console: the headline metrics per point, then paired differences from the baseline. */
export function sweepConsoleTable(r: SweepResult): string {
  const points = pointTable(r);
  const paired = pairedTable(r);
  const out = [textTable(points.header, points.rows)];
  if (paired.rows.length)
    out.push(
      '',
      `paired over common seeds against the baseline: Δ mean [95% paired t-interval], Holm-adjusted p, effect size d_z`,
      textTable(paired.header, paired.rows),
    );
  const shares = sellerShareTable(r);
  if (shares.rows.length)
    out.push(
      '',
      'seller share of the sales: mean [95% t-interval over seeds, within 0 and 1]; Δ paired against the baseline',
      textTable(shares.header, shares.rows),
    );
  const note = fewSeedsNote(r);
  if (note) out.push('', note);
  return out.join('\n');
}

/** Every metric, a few columns per table so each fits the page; points named by their legend id. */
function pageTables(
  r: SweepResult,
  table: (r: SweepResult, keys: string[], name: PointName) => { header: string[]; rows: string[][] },
): string[] {
  const keys = SWEEP_METRICS.map((m) => m.key);
  return metricGroups(keys)
    .map((group) => table(r, group, pointId))
    .filter((t) => t.rows.length > 0)
    .map((t) => htmlTable(t.header, t.rows));
}

function groupRows(r: SweepResult): string[][] {
  return r.points.flatMap((p) =>
    Object.entries(p.groups).map(([g, v]) => [
      pointId(p),
      g,
      pointCell(v.surplusPerTaskMsat),
      pointCell(v.paymentSuccessRate, true),
      pointCell(v.spentMsat),
    ]),
  );
}

/** The few-seeds note as a sentence to append to the page's subtitle (empty when every interval is defined). */
function noteOf(r: SweepResult): string {
  const note = fewSeedsNote(r);
  return note ? `. ${note}` : '';
}

/** Writes the sweep's report.html and charts/*.png; returns the report path. */
export async function writeSweepReport(dir: string, r: SweepResult): Promise<string> {
  const specs: { id: string; title: string; spec: TopLevelSpec }[] = CHART_METRICS.map((key) => {
    const m = SWEEP_METRICS.find((x) => x.key === key)!;
    return { id: `sweep-${key}`, title: `${m.label} (mean, 95% CI)`, spec: intervalChart(r, key, m.label) };
  });
  for (const key of CHART_METRICS) {
    const m = SWEEP_METRICS.find((x) => x.key === key)!;
    const spec = pairedChart(r, key, m.label);
    if (spec)
      specs.push({
        id: `sweep-paired-${key}`,
        title: `${m.label}: paired difference from the baseline (95% CI)`,
        spec,
      });
  }
  const g = groupChart(r);
  if (g)
    specs.push({ id: 'sweep-groups', title: 'Policy comparison: buyer surplus per task by group', spec: g });
  const charts: RenderedChart[] = [];
  mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const s of specs) {
    const svg = await toSvg(s.spec);
    writeFileSync(join(dir, 'charts', `${s.id}.png`), svgToPng(svg));
    charts.push({ id: s.id, title: s.title, svg });
  }
  const html = htmlPage(
    `Sweep of ${r.scenario}`,
    `${r.points.length} grid points × ${r.seeds.length} seeds; every metric: mean over seeds with its 95% Student-t interval (proportions: mean of the per-seed rates [interval clipped to 0..1]; others: mean ± half-width); differences: paired over common seeds, Holm-adjusted p${noteOf(r)}`,
    [
      '<h2>Grid points</h2>',
      htmlTable(legendTable(r).header, legendTable(r).rows),
      '<h2>Charts</h2>',
      chartGrid(charts),
      '<h2>Paired differences from the baseline</h2>',
      ...pageTables(r, pairedTable),
      '<h2>Metrics at each point</h2>',
      ...pageTables(r, pointTable),
      '<h2>Seller shares</h2>',
      htmlTable(sellerShareTable(r, pointId).header, sellerShareTable(r, pointId).rows),
      '<h2>Agent groups</h2>',
      htmlTable(
        ['point', 'group', 'buyer surplus / task (msat)', 'payment success', 'spent + fees (msat)'],
        groupRows(r),
      ),
    ],
  );
  const path = join(dir, 'report.html');
  writeFileSync(path, html);
  return path;
}
