/**
 * `npm run docs:tables`: regenerates every bench table in README.md and
 * docs/*.md from bench-results/*.json. `--check` changes nothing and exits 1
 * when a document is out of date. Both warn (on stderr, without failing)
 * about bench JSON older than the code it times, or of unknown age
 * (freshness.ts).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshness, freshnessReport } from './freshness.js';
import { history } from './git.js';
import { RESULTS_DIR } from './harness.js';
import { reachableFiles } from './imports.js';
import { renderDoc, type BenchFile } from './tables.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every bench's results, by bench name. */
export function loadResults(dir = RESULTS_DIR): Map<string, BenchFile> {
  const out = new Map<string, BenchFile>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const file = JSON.parse(readFileSync(join(dir, f), 'utf8')) as BenchFile;
    out.set(file.bench, file);
  }
  return out;
}

/** The documents that may hold generated tables, relative to the repository root. */
export function documents(root = ROOT): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** The files `test/bench/<bench>.bench.ts` reaches, or undefined when there is no such bench. */
function timedBy(bench: string): string[] | undefined {
  const entry = `test/bench/${bench}.bench.ts`;
  return existsSync(join(ROOT, entry)) ? reachableFiles(ROOT, entry) : undefined;
}

/** Warns about bench JSON older than the code it times; never changes the exit code. */
function warnStale(results: ReadonlyMap<string, BenchFile>): void {
  const lines = freshnessReport(freshness(results.values(), timedBy, history(ROOT)));
  if (lines.length)
    console.warn(
      ['warning: bench results older than the code they time, or of unknown age:', ...lines].join('\n  '),
    );
}

function main(args: string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      [
        'usage: npm run docs:tables [-- --check]',
        '',
        'Rewrites the tables between <!-- bench:<bench>/<table> --> markers in README.md and docs/*.md',
        'from bench-results/<bench>.json (written by npm run bench).',
        '',
        '  --check    change nothing; exit 1 and name the documents that are out of date',
        '',
        'Either way it warns (exit code unchanged) about bench JSON whose recorded commit is older than',
        'the last commit touching what the bench times, or that records no commit.',
      ].join('\n'),
    );
    return 0;
  }
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`unknown argument(s): ${unknown.join(' ')}; see --help`);
    return 2;
  }
  const results = loadResults();
  warnStale(results);
  const stale: string[] = [];
  for (const doc of documents()) {
    const path = join(ROOT, doc);
    const text = readFileSync(path, 'utf8');
    const next = renderDoc(text, results, doc);
    if (next === text) continue;
    stale.push(doc);
    if (!args.includes('--check')) writeFileSync(path, next);
  }
  if (args.includes('--check')) {
    if (stale.length) console.error(`out of date (run npm run docs:tables): ${stale.join(', ')}`);
    return stale.length ? 1 : 0;
  }
  console.log(stale.length ? `updated ${stale.join(', ')}` : 'all tables up to date');
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main(process.argv.slice(2));
