import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../metrics/summary.js';
import { runCharts } from './charts.js';
import type { PricePoint } from './chart-base.js';
import { parsePurchasesCsv } from '../metrics/csv.js';
import { svgToPng, toSvg } from './render.js';
import type { RenderedChart } from './html.js';
import { runReportHtml } from './run-report-html.js';
import type { Provenance, RunMeta } from './provenance.js';
import { readMeta } from './read-run.js';

/** summary.json text: stable key order (as built), two-space indent, trailing newline. */
export function summaryJson(s: Summary): string {
  return JSON.stringify(s, null, 2) + '\n';
}

/** Renders every chart of a run to SVG. */
export async function renderRunCharts(
  s: Summary,
  prices: readonly PricePoint[] = [],
): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of runCharts(s, prices)) out.push({ id: c.id, title: c.title, svg: await toSvg(c.spec) });
  return out;
}

const MAX_CSV_BYTES = 32 * 2 ** 20;
const MAX_POINTS = 4000;

/**
 * Paid prices from the run's purchases.csv for the scatter: every paid
 * purchase, or an evenly spaced sample of them in a big run. None when the
 * file is missing or too big to read whole.
 */
export function readPricePoints(dir: string): PricePoint[] {
  const file = join(dir, 'purchases.csv');
  if (!existsSync(file) || statSync(file).size > MAX_CSV_BYTES) return [];
  const paid = parsePurchasesCsv(readFileSync(file, 'utf8')).filter(
    (r) => r.paidMsat > 0 && r.role !== 'reseller',
  );
  const step = Math.max(1, Math.ceil(paid.length / MAX_POINTS));
  return paid
    .filter((_, i) => i % step === 0)
    .map((r) => ({ startMs: r.startMs, seller: r.seller, paidMsat: r.paidMsat }));
}

/** Writes report.html and charts/*.png for a summary (and the run's purchases.csv, when there); returns the report's path. */
export async function writeReport(
  dir: string,
  s: Summary,
  { png = true, meta }: { png?: boolean; meta?: Provenance } = {},
): Promise<string> {
  const charts = await renderRunCharts(s, readPricePoints(dir));
  if (png) {
    mkdirSync(join(dir, 'charts'), { recursive: true });
    for (const c of charts) writeFileSync(join(dir, 'charts', `${c.id}.png`), svgToPng(c.svg));
  }
  const path = join(dir, 'report.html');
  writeFileSync(path, runReportHtml(s, charts, meta ?? readMeta(dir)));
  return path;
}

/** Writes summary.json, meta.json, report.html and the PNG charts of a finished run. */
export async function writeRunOutputs(
  dir: string,
  s: Summary,
  meta: RunMeta,
  opts: { png?: boolean } = {},
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), summaryJson(s));
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  return writeReport(dir, s, { ...opts, meta });
}

/** Files a run writes in its directory, besides charts/<id>.png. */
const RUN_FILES = ['summary.json', 'meta.json', 'purchases.csv', 'tasks.csv', 'events.jsonl', 'report.html'];

/** The id of every chart a run can draw (charts/<id>.png); a test keeps it in step with runCharts. */
export const RUN_CHART_IDS = [
  ...['latency-cdf', 'step-latency', 'spend-over-time', 'price-over-time', 'prices-by-seller'],
  ...['seller-share', 'quoted-prices', 'posted-prices', 'welfare-split', 'success-by-amount'],
  ...['outcomes', 'group-surplus'],
];

/**
 * Removes a previous run's outputs from `dir` before a run writes there, so
 * none of them (events.jsonl under --no-events, charts under --no-png, a chart
 * the new run does not draw) passes for the new run's. Only files a run writes
 * are removed (and charts/ when that leaves it empty); anything else stays.
 */
export function clearRunOutputs(dir: string): void {
  for (const name of RUN_FILES) rmSync(join(dir, name), { force: true });
  const charts = join(dir, 'charts');
  if (!existsSync(charts) || !statSync(charts).isDirectory()) return;
  for (const id of RUN_CHART_IDS) rmSync(join(charts, `${id}.png`), { force: true });
  if (readdirSync(charts).length === 0) rmdirSync(charts);
}

/** What a run with these options writes, relative to its directory (for the `data:` line). */
export function runOutputNames({ events = true, png = true } = {}): string[] {
  const written = RUN_FILES.filter((name) => events || name !== 'events.jsonl');
  return png ? [...written, 'charts/*.png'] : written;
}
