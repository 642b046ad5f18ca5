import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
