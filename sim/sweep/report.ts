import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { svgToPng, toSvg } from '../report/render.js';
import { chartGrid, htmlPage, htmlTable, type RenderedChart } from '../report/html.js';
import { textTable } from '../report/format.js';
import { SWEEP_METRICS, type SweepResult } from './merge.js';

const CHART_METRICS = ['welfarePerTaskMsat', 'successRate', 'latencyP95', 'spentMsat'];

/** A bar per grid point with its 95% interval as an error bar. */
function intervalChart(r: SweepResult, key: string, title: string): TopLevelSpec {
  const values = r.points.map((p) => ({
    label: p.label,
    mean: p.metrics[key]!.mean,
    low: p.metrics[key]!.low,
    high: p.metrics[key]!.high,
  }));
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
      mean: v.welfarePerTaskMsat.mean / 1000,
      low: v.welfarePerTaskMsat.low / 1000,
      high: v.welfarePerTaskMsat.high / 1000,
    })),
  );
  if (values.length < 2) return undefined;
  return {
    width: 520,
    height: Math.max(120, 24 * values.length),
    background: 'white',
    config: { font: 'DejaVu Sans' },
    title: 'Welfare per task by agent group (sat, 95% CI)',
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

const fmt = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(3));

/** The merged table as aligned text for the console: mean ± half-width per metric. */
export function sweepConsoleTable(r: SweepResult): string {
  const metrics = SWEEP_METRICS.filter((m) =>
    ['successRate', 'welfarePerTaskMsat', 'spentMsat', 'latencyP95', 'tokenReuseRate'].includes(m.key),
  );
  return textTable(
    ['point', 'seeds', ...metrics.map((m) => m.label)],
    r.points.map((p) => [
      p.label,
      p.seeds.length,
      ...metrics.map((m) => `${fmt(p.metrics[m.key]!.mean)} ± ${fmt(p.metrics[m.key]!.halfWidth)}`),
    ]),
  );
}

/** Writes the sweep's report.html and charts/*.png; returns the report path. */
export async function writeSweepReport(dir: string, r: SweepResult): Promise<string> {
  const specs: { id: string; title: string; spec: TopLevelSpec }[] = CHART_METRICS.map((key) => {
    const m = SWEEP_METRICS.find((x) => x.key === key)!;
    return { id: `sweep-${key}`, title: `${m.label} (mean, 95% CI)`, spec: intervalChart(r, key, m.label) };
  });
  const g = groupChart(r);
  if (g) specs.push({ id: 'sweep-groups', title: 'Policy comparison: welfare per task by group', spec: g });
  const charts: RenderedChart[] = [];
  mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const s of specs) {
    const svg = await toSvg(s.spec);
    writeFileSync(join(dir, 'charts', `${s.id}.png`), svgToPng(svg));
    charts.push({ id: s.id, title: s.title, svg });
  }
  const table = htmlTable(
    ['point', 'seeds', ...SWEEP_METRICS.map((m) => m.label), 'conservation'],
    r.points.map((p) => [
      p.label,
      p.seeds.length,
      ...SWEEP_METRICS.map((m) => {
        const iv = p.metrics[m.key]!;
        return `${fmt(iv.mean)} [${fmt(iv.low)}, ${fmt(iv.high)}]`;
      }),
      p.conservationHolds ? 'holds' : 'BROKEN',
    ]),
  );
  const groupRows = r.points.flatMap((p) =>
    Object.entries(p.groups).map(([g, v]) => [
      p.label,
      g,
      `${fmt(v.welfarePerTaskMsat.mean)} [${fmt(v.welfarePerTaskMsat.low)}, ${fmt(v.welfarePerTaskMsat.high)}]`,
      `${fmt(v.successRate.mean)} [${fmt(v.successRate.low)}, ${fmt(v.successRate.high)}]`,
      `${fmt(v.spentMsat.mean)} [${fmt(v.spentMsat.low)}, ${fmt(v.spentMsat.high)}]`,
    ]),
  );
  const html = htmlPage(
    `Sweep of ${r.scenario}`,
    `${r.points.length} grid points × ${r.seeds.length} seeds; intervals are 95% Student-t across seeds`,
    [
      '<h2>Charts</h2>',
      chartGrid(charts),
      '<h2>Grid points</h2>',
      table,
      '<h2>Agent groups</h2>',
      htmlTable(
        ['point', 'group', 'welfare / task (msat)', 'success rate', 'spent + fees (msat)'],
        groupRows,
      ),
    ],
  );
  const path = join(dir, 'report.html');
  writeFileSync(path, html);
  return path;
}
