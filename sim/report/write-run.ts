import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../metrics/summary.js';
import { runCharts } from './charts.js';
import { svgToPng, toSvg } from './render.js';
import { runReportHtml, type RenderedChart } from './html.js';

/** Run metadata that varies between identical runs (wall time, versions, host); kept out of summary.json. */
export interface RunMeta {
  scenario: string;
  seed: string | number;
  backend: string;
  startedAt: string;
  wallMs: number;
  node: string;
  platform: string;
  versions: Record<string, string>;
  overrides: Record<string, unknown>;
  purchasesPerSec: number;
  peakRssBytes: number;
  engineSteps: number;
  unfinished: number;
}

/** summary.json text: stable key order (as built), two-space indent, trailing newline. */
export function summaryJson(s: Summary): string {
  return JSON.stringify(s, null, 2) + '\n';
}

/** Renders every chart of a run to SVG. */
export async function renderRunCharts(s: Summary): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of runCharts(s)) out.push({ id: c.id, title: c.title, svg: await toSvg(c.spec) });
  return out;
}

/** Writes report.html and charts/*.png for a summary; returns the report's path. */
export async function writeReport(dir: string, s: Summary, { png = true } = {}): Promise<string> {
  const charts = await renderRunCharts(s);
  if (png) {
    mkdirSync(join(dir, 'charts'), { recursive: true });
    for (const c of charts) writeFileSync(join(dir, 'charts', `${c.id}.png`), svgToPng(c.svg));
  }
  const path = join(dir, 'report.html');
  writeFileSync(path, runReportHtml(s, charts));
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
  return writeReport(dir, s, opts);
}

/** Reads a run directory's summary.json back. */
export function readSummary(dir: string): Summary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
}
