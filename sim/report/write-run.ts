import { closeSync, lstatSync, mkdirSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../metrics/summary.js';
import type { ReportedSummary } from '../metrics/summary-schema.js';
import { runCharts } from './charts.js';
import type { PricePoint } from './chart-base.js';
import { pricePerCall } from '../metrics/call-price.js';
import { eachPurchaseRow } from '../metrics/csv.js';
import { openRunFile, runFileChunks, runFileFailure } from '../metrics/run-file.js';
import type { PurchaseRow } from '../metrics/rows.js';
import { svgToPng, toSvg } from './render.js';
import type { RenderedChart } from './html.js';
import { runReportHtml } from './run-report-html.js';
import type { Provenance, RunMeta } from './provenance.js';
import { readMeta } from './read-run.js';
import { LabError } from '../../infra/errors.js';
import { replaceFile } from '../../infra/durable-file.js';

/** summary.json text: stable key order (as built), two-space indent, trailing newline. */
export function summaryJson(s: Summary): string {
  return JSON.stringify(s, null, 2) + '\n';
}

/** Renders every chart of a run to SVG. */
export async function renderRunCharts(
  s: Omit<Summary, 'negotiation'>,
  prices: readonly PricePoint[] = [],
): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of runCharts(s, prices)) out.push({ id: c.id, title: c.title, svg: await toSvg(c.spec) });
  return out;
}

/**
 * Most bytes of purchases.csv read for the chart of prices paid (a bigger file draws the report
 * without it). The file is read a chunk at a time and only each paid row's time, seller and
 * amount kept, so memory grows with the paid rows, not the file: a run of 1,000,000 calls writes
 * 139 MB (177 MB when every call is a task of its own), about 140 bytes a row.
 */
export const MAX_PRICE_CSV_BYTES = 1024 * 2 ** 20;
/** Most points of the chart of prices paid. */
const MAX_POINTS = 4000;
const CSV_FIX =
  're-run the scenario to write it again, or move purchases.csv out of the run directory to draw the report without the chart of prices paid';

/**
 * Paid prices from the run's purchases.csv for the scatter: every paid purchase, or an evenly
 * spaced sample of them in a big run. None when the file is missing or over MAX_PRICE_CSV_BYTES;
 * one that is not a regular file (a named pipe, a device) or is damaged fails as bad_run_file.
 */
export function readPricePoints(dir: string): PricePoint[] {
  const file = join(dir, 'purchases.csv');
  const fail = runFileFailure(file, "a run's purchase records", CSV_FIX);
  const opened = openRunFile(file, fail);
  if (!opened) return [];
  const paid = new PaidPrices();
  try {
    if (opened.size > MAX_PRICE_CSV_BYTES) return [];
    eachPurchaseRow(runFileChunks(opened.fd, MAX_PRICE_CSV_BYTES, fail), (r) => paid.add(r), fail);
  } finally {
    closeSync(opened.fd);
  }
  return paid.sample(MAX_POINTS);
}

/** Prices paid per call (`pricePerCall`: no reseller's restock, no time pass) as numbers, the sellers' names each kept once. */
class PaidPrices {
  readonly #startMs: number[] = [];
  readonly #paidMsat: number[] = [];
  readonly #seller: number[] = [];
  readonly #names: string[] = [];
  readonly #index = new Map<string, number>();

  add(r: PurchaseRow): void {
    const perCall = pricePerCall(r);
    if (perCall === null) return;
    let i = this.#index.get(r.seller);
    if (i === undefined) this.#index.set(r.seller, (i = this.#names.push(r.seller) - 1));
    this.#startMs.push(r.startMs);
    this.#paidMsat.push(perCall);
    this.#seller.push(i);
  }

  /** Every `step`-th point, from the first, so at most `max`. */
  sample(max: number): PricePoint[] {
    const n = this.#startMs.length;
    const step = Math.max(1, Math.ceil(n / max));
    const out: PricePoint[] = [];
    for (let i = 0; i < n; i += step)
      out.push({
        startMs: this.#startMs[i]!,
        seller: this.#names[this.#seller[i]!]!,
        paidMsat: this.#paidMsat[i]!,
      });
    return out;
  }
}

/**
 * Writes report.html and charts/*.png for a summary (and the run's purchases.csv, when there);
 * returns the report's path. Each file is written beside its name and renamed over it
 * (`replaceFile`), so a symbolic link planted at a name is replaced, never written through;
 * a charts/ that is a link is refused.
 */
export async function writeReport(
  dir: string,
  s: ReportedSummary,
  { png = true, meta }: { png?: boolean; meta?: Provenance } = {},
): Promise<string> {
  const provenance = meta ?? readMeta(dir);
  const charts = await renderRunCharts(s, readPricePoints(dir));
  if (png) {
    const chartsDir = join(dir, 'charts');
    if (chartsEntry(dir) === 'none') mkdirSync(chartsDir);
    for (const c of charts) await replaceFile(join(chartsDir, `${c.id}.png`), [svgToPng(c.svg)]);
  }
  const path = join(dir, 'report.html');
  await replaceFile(path, [runReportHtml(s, charts, provenance)]);
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
  await replaceFile(join(dir, 'summary.json'), [summaryJson(s)]);
  await replaceFile(join(dir, 'meta.json'), [JSON.stringify(meta, null, 2) + '\n']);
  return writeReport(dir, s, { ...opts, meta });
}

/**
 * Refuses (bad_out_dir) a `dir`/charts that is a symbolic link, as a run writing into `dir` would:
 * for `sim run` to check before the market is built.
 */
export function refuseChartsLink(dir: string): void {
  chartsEntry(dir, { other: true });
}

/**
 * What `dir`/charts is: none, a directory, or (`other`, only when `other` is set) something
 * else. A symbolic link is refused (bad_out_dir) whatever it points to: a run writes and removes
 * its charts only in a directory of its own, never through a link to another place.
 */
function chartsEntry(dir: string, { other = false } = {}): 'none' | 'directory' | 'other' {
  const charts = join(dir, 'charts');
  const st = lstatSync(charts, { throwIfNoEntry: false });
  if (!st) return 'none';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink())
    throw new LabError(
      'bad_out_dir',
      `${charts} is a symbolic link: a run writes and removes its charts only in a directory of its own, never through a link; remove the link and try again`,
    );
  if (other) return 'other';
  throw new LabError(
    'bad_out_dir',
    `${charts} is not a directory: a run writes its charts there; move it away (or pass --no-png) and try again`,
  );
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
 * are removed (and charts/ when that leaves it empty); anything else stays. A charts/ that is a
 * symbolic link is refused before anything is removed (`chartsEntry`).
 */
export function clearRunOutputs(dir: string): void {
  const charts = join(dir, 'charts');
  const entry = chartsEntry(dir, { other: true });
  for (const name of RUN_FILES) rmSync(join(dir, name), { force: true });
  if (entry !== 'directory') return;
  for (const id of RUN_CHART_IDS) rmSync(join(charts, `${id}.png`), { force: true });
  if (readdirSync(charts).length === 0) rmdirSync(charts);
}

/** What a run with these options writes, relative to its directory (for the `data:` line). */
export function runOutputNames({ events = true, png = true } = {}): string[] {
  const written = RUN_FILES.filter((name) => events || name !== 'events.jsonl');
  return png ? [...written, 'charts/*.png'] : written;
}
