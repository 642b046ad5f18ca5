import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { groupChart, intervalChart, pairedChart } from './charts.js';
import { svgToPng, toSvg } from '../report/render.js';
import { chartGrid, htmlPage, htmlTable, type RenderedChart } from '../report/html.js';
import { esc, plural, textTable } from '../report/format.js';
import { conservationNote } from './conservation-note.js';
import { SWEEP_METRICS, type SweepResult } from './merge.js';
import { provenanceHtml } from './provenance.js';
import { GROUP_HEADLINE, GROUP_METRICS } from './group-metrics.js';
import { groupPairedTable, groupPointTable, groupsPerPoint, shortGroupCells } from './group-tables.js';
import {
  HEADLINE,
  fewSeedsNote,
  missingValuesNote,
  legendTable,
  metricGroups,
  pairedTable,
  pointId,
  pointTable,
  sellerShareTable,
  sellersPerPoint,
  type PointName,
} from './tables.js';

const CHART_METRICS = HEADLINE;

/** Most sellers per point the console's share table lists (the top ones by share); sweep.json and report.html list all. */
export const CONSOLE_SELLERS = 10;

/** Most agent groups per point the console's group table lists (the first by name); sweep.json and report.html list all. */
export const CONSOLE_GROUPS = 10;

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
  out.push(...consoleGroups(r));
  const sellers = sellersPerPoint(r);
  const shares = sellerShareTable(r, undefined, CONSOLE_SELLERS);
  if (shares.rows.length)
    out.push(
      '',
      'seller share of the payments (sales, not money): mean [95% t-interval over seeds, within 0 and 1]; Δ paired against the baseline' +
        (sellers > CONSOLE_SELLERS ? `; the top ${CONSOLE_SELLERS} of each point by share` : ''),
      textTable(shares.header, shares.rows),
    );
  if (sellers > CONSOLE_SELLERS)
    out.push(
      `${plural(sellers, 'seller')} per point, ${CONSOLE_SELLERS} shown: every seller's share is in sweep.json (points[].sellers.<seller>.salesShare) and report.html (Seller shares of the payments)`,
    );
  const groupsShort = shortGroupCells(r, GROUP_HEADLINE, false);
  for (const note of [fewSeedsNote(r), missingValuesNote(r, undefined, groupsShort), conservationNote(r)])
    if (note) out.push('', note);
  return out.join('\n');
}

/**
 * The console's group table: each group's paired differences from the same group at the
 * baseline (headline group metrics); none with one group a point, whose figures are the market's.
 */
function consoleGroups(r: SweepResult): string[] {
  const groups = groupsPerPoint(r);
  const t = groupPairedTable(r, GROUP_HEADLINE, undefined, CONSOLE_GROUPS);
  if (groups < 2 || !t.rows.length) return [];
  return [
    '',
    'per agent group, against the same group at the baseline: Δ mean [95% paired t-interval], Holm-adjusted p (per group and metric, across the points), d_z' +
      (groups > CONSOLE_GROUPS ? `; the first ${CONSOLE_GROUPS} groups of each point by name` : '') +
      "; every group metric (spent, fees) and each group's means: sweep.json (points[].groups) and report.html (Agent groups)",
    textTable(t.header, t.rows),
  ];
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

/** The page's agent groups: each group's metrics at each point, then its paired differences, a few columns per table. */
function groupTables(r: SweepResult): string[] {
  const keys = GROUP_METRICS.map((m) => m.key);
  const tables = (table: typeof groupPointTable) =>
    metricGroups(keys)
      .map((group) => table(r, group as typeof keys, pointId))
      .filter((t) => t.rows.length > 0)
      .map((t) => htmlTable(t.header, t.rows));
  const paired = tables(groupPairedTable);
  return [
    '<h2>Agent groups</h2>',
    ...tables(groupPointTable),
    ...(paired.length
      ? [
          '<h3>Paired differences from the same group at the baseline</h3>',
          '<p>Holm-adjusted p per group and metric, across the points compared with the baseline.</p>',
          ...paired,
        ]
      : []),
  ];
}

/** The few-seeds and missing-values notes as sentences to append to the page's subtitle (empty when not needed). */
function noteOf(r: SweepResult): string {
  const notes = [
    fewSeedsNote(r),
    missingValuesNote(
      r,
      SWEEP_METRICS.map((m) => m.key),
      shortGroupCells(
        r,
        GROUP_METRICS.map((m) => m.key),
        true,
      ),
    ),
  ];
  return notes.map((n) => (n ? `. ${n}` : '')).join('');
}

/** The page's warning, first on it, when some runs broke conservation: each point by its id and settings. */
function brokenNote(r: SweepResult): string[] {
  const note = conservationNote(r, (p) => `${pointId(p)} (${p.label || 'the scenario as written'})`);
  return note ? [`<p class="bad">${esc(note)}</p>`] : [];
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
      ...brokenNote(r),
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
      '<h2>Seller shares of the payments</h2>',
      htmlTable(sellerShareTable(r, pointId).header, sellerShareTable(r, pointId).rows),
      ...groupTables(r),
      ...(r.provenance ? provenanceHtml(r.provenance, r.points) : []),
    ],
  );
  const path = join(dir, 'report.html');
  writeFileSync(path, html);
  return path;
}
