import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { groupChart, intervalChart, pairedChart } from './charts.js';
import { svgToPng, toSvg } from '../report/render.js';
import { chartGrid, htmlPage, htmlTable, type RenderedChart } from '../report/html.js';
import { plural, textTable } from '../report/format.js';
import { SWEEP_METRICS, type SweepResult } from './merge.js';
import { provenanceHtml } from './provenance.js';
import {
  HEADLINE,
  fewSeedsNote,
  missingValuesNote,
  legendTable,
  metricGroups,
  pairedTable,
  pointCell,
  pointId,
  pointTable,
  sellerShareTable,
  sellersPerPoint,
  type PointName,
} from './tables.js';

const CHART_METRICS = HEADLINE;

/** Most sellers per point the console's share table lists (the top ones by share); sweep.json and report.html list all. */
export const CONSOLE_SELLERS = 10;

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
  const sellers = sellersPerPoint(r);
  const shares = sellerShareTable(r, undefined, CONSOLE_SELLERS);
  if (shares.rows.length)
    out.push(
      '',
      'seller share of the sales: mean [95% t-interval over seeds, within 0 and 1]; Δ paired against the baseline' +
        (sellers > CONSOLE_SELLERS ? `; the top ${CONSOLE_SELLERS} of each point by share` : ''),
      textTable(shares.header, shares.rows),
    );
  if (sellers > CONSOLE_SELLERS)
    out.push(
      `${plural(sellers, 'seller')} per point, ${CONSOLE_SELLERS} shown: every seller's share is in sweep.json (points[].sellers) and report.html (Seller shares)`,
    );
  for (const note of [fewSeedsNote(r), missingValuesNote(r)]) if (note) out.push('', note);
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
      pointCell(v.surplusPerTaskMsat, false, p.seeds.length),
      pointCell(v.paymentSuccessRate, true, p.seeds.length),
      pointCell(v.spentMsat, false, p.seeds.length),
    ]),
  );
}

/** The few-seeds and missing-values notes as sentences to append to the page's subtitle (empty when not needed). */
function noteOf(r: SweepResult): string {
  const notes = [
    fewSeedsNote(r),
    missingValuesNote(
      r,
      SWEEP_METRICS.map((m) => m.key),
    ),
  ];
  return notes.map((n) => (n ? `. ${n}` : '')).join('');
}

/**
 * Most rows (bars or dots) a chart draws. A taller chart is unreadable, and drawing it costs
 * memory in proportion to its height: a 10,000-point sweep's charts ran a process out of memory
 * at 23 GB. Such a sweep's figures are in the report's tables and sweep.csv.
 */
export const MAX_CHART_ROWS = 200;

/** The rows a chart spec draws (its data values). */
function rowsOf(spec: TopLevelSpec): number {
  return (spec as { data?: { values?: unknown[] } }).data?.values?.length ?? 0;
}

/** Writes the sweep's report.html and charts/*.png (charts of at most `MAX_CHART_ROWS` rows); returns the report path. */
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
  const omitted = specs.filter((s) => rowsOf(s.spec) > MAX_CHART_ROWS);
  for (const s of specs.filter((x) => rowsOf(x.spec) <= MAX_CHART_ROWS)) {
    const svg = await toSvg(s.spec);
    writeFileSync(join(dir, 'charts', `${s.id}.png`), svgToPng(svg));
    charts.push({ id: s.id, title: s.title, svg });
  }
  const html = htmlPage(
    `Sweep of ${r.scenario}`,
    `${plural(r.points.length, 'grid point')} × ${plural(r.seeds.length, 'seed')}; every metric: mean over seeds with its 95% Student-t interval (proportions: mean of the per-seed rates [interval clipped to 0..1]; others: mean ± half-width); differences: paired over common seeds, Holm-adjusted p${noteOf(r)}`,
    [
      '<h2>Grid points</h2>',
      htmlTable(legendTable(r).header, legendTable(r).rows),
      '<h2>Charts</h2>',
      ...(omitted.length
        ? [
            `<p>${omitted.length} chart(s) not drawn: more than ${MAX_CHART_ROWS} rows each (${r.points.length} grid points). Their figures are in the tables below and in sweep.csv.</p>`,
          ]
        : []),
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
      ...(r.provenance ? provenanceHtml(r.provenance, r.points) : []),
    ],
  );
  const path = join(dir, 'report.html');
  writeFileSync(path, html);
  return path;
}
