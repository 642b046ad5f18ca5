/**
 * Renders bench results (bench-results/<bench>.json) as markdown, between
 * marker comments in the docs:
 *
 *   <!-- bench:paywall/requests -->  …generated…  <!-- /bench:paywall/requests -->
 *
 * `<bench>/<table id>` renders that table (min / median / max, each row against
 * the baseline with its verdict, the explicit comparisons, and how the figures
 * were made); `<bench>/notes` renders the bench's notes as a list.
 */
import { commitLabel } from './git.js';
import { compareRows, spread, type Table } from './stats.js';

/** A bench's JSON as written by the harness. */
export interface BenchFile {
  bench: string;
  command: string;
  settings: Record<string, string | number>;
  tables: Table[];
  notes?: string[];
  machine: {
    cpus: number;
    cpu: string;
    node: string;
    loadavg1m: { start: number; end: number };
    /** Load average above the CPU count at the start or the end (absent in JSON written before it was recorded). */
    overloaded?: boolean;
  };
  /** The commit measured: null outside a git checkout, absent in JSON written before it was recorded. */
  commit?: string | null;
  /** Whether the tree's code (docs and bench results aside) differed from `commit`; null when unknown. */
  dirty?: boolean | null;
  date: string;
}

const MARKER = /<!-- bench:([\w-]+)\/([\w-]+) -->\n[\s\S]*?<!-- \/bench:\1\/\2 -->/g;

/** The document with every marked region regenerated; throws naming a marker with no data behind it. */
export function renderDoc(text: string, results: ReadonlyMap<string, BenchFile>, where: string): string {
  return text.replace(MARKER, (_all, bench: string, id: string) => {
    const file = results.get(bench);
    if (!file)
      throw new Error(
        `${where}: bench:${bench}/${id}: no bench-results/${bench}.json (run npm run bench -- ${bench})`,
      );
    const body = id === 'notes' ? renderNotes(file) : renderTable(file, id, where);
    return `<!-- bench:${bench}/${id} -->\n${body}\n<!-- /bench:${bench}/${id} -->`;
  });
}

function renderNotes(file: BenchFile): string {
  return (file.notes ?? []).map((n) => `- ${n}`).join('\n');
}

function renderTable(file: BenchFile, id: string, where: string): string {
  const t = file.tables.find((x) => x.id === id);
  if (!t) throw new Error(`${where}: bench:${file.bench}/${id}: ${file.bench}.json has no table "${id}"`);
  const base = t.baseline ? t.rows.find((r) => r.name === t.baseline) : undefined;
  const head = ['what', `min ${t.unit}`, 'median', 'max'];
  if (base) head.push(`× ${base.name} (median, per-round range)`, 'verdict');
  const lines = [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : i > 3 ? ':--' : '---:')).join('|')}|`,
  ];
  for (const r of t.rows) {
    const s = spread(r.samples);
    const cells = [r.name, num(s.min), num(s.median), num(s.max)];
    if (base) {
      if (r === base) cells.push('1', 'baseline');
      else {
        const c = compareRows(r, base, t.higherIsBetter);
        cells.push(`${ratio(c.ratio.median)} (${ratio(c.ratio.min)}–${ratio(c.ratio.max)})`, c.verdict);
      }
    }
    lines.push(`| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  const compared = (t.compare ?? []).map(([a, b]) => {
    const ra = t.rows.find((r) => r.name === a);
    const rb = t.rows.find((r) => r.name === b);
    if (!ra || !rb)
      throw new Error(`${where}: ${file.bench}/${id}: compare names a missing row (${a} / ${b})`);
    const c = compareRows(ra, rb, t.higherIsBetter);
    return `- ${a} against ${b}: ×${ratio(c.ratio.median)} (per round ${ratio(c.ratio.min)}–${ratio(c.ratio.max)}): **${c.verdict}**.`;
  });
  return [
    `*${t.title}.*`,
    '',
    ...lines,
    ...(compared.length ? ['', ...compared] : []),
    '',
    provenance(file),
  ].join('\n');
}

function provenance(file: BenchFile): string {
  const settings = Object.entries(file.settings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const m = file.machine;
  const overloaded = m.overloaded
    ? `; overloaded: other work used more than half the ${m.cpus} CPUs, so the figures say little`
    : '';
  return (
    `Made by \`${file.command}\`${measuredAt(file)} on ${file.date.slice(0, 10)} (${settings}; ${m.cpus} CPUs, ` +
    `Node ${m.node}, load average ${m.loadavg1m.start} before the bench and ${m.loadavg1m.end} at its end${overloaded}).`
  );
}

/** " at commit abc1234", with "plus uncommitted changes" when the tree differed; nothing for JSON that predates it. */
function measuredAt(file: BenchFile): string {
  if (file.commit === undefined) return '';
  if (file.commit === null) return ' outside a git checkout (commit unknown)';
  return ` at commit ${commitLabel(file.commit, file.dirty)}${file.dirty === null ? ' (tree state unknown)' : ''}`;
}

/** Three significant figures or more: 0.42, 4.21, 42.1, 421, 4,210. */
export function num(v: number): string {
  const digits = v < 10 ? 2 : v < 100 ? 1 : 0;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3);
}
