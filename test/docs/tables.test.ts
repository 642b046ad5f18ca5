import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documents, loadResults } from '../bench/docs-tables.js';
import { compareRows, spread } from '../bench/stats.js';
import { renderDoc, type BenchFile } from '../bench/tables.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('bench statistics', () => {
  it('spread gives min, the median (mean of the middle two for an even count) and max', () => {
    expect(spread([5, 1, 3])).toEqual({ min: 1, median: 3, max: 5 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  it('overlapping ranges are no measurable difference even when the median is higher', () => {
    const c = compareRows({ name: 'a', samples: [10, 14, 12] }, { name: 'b', samples: [9, 10, 11] }, true);
    expect(c.verdict).toBe('no measurable difference');
    expect(c.ratio).toEqual({ min: 12 / 11, median: 10 / 9, max: 14 / 10 });
  });

  it('disjoint ranges are faster or slower by whether higher is better', () => {
    const hi = { name: 'hi', samples: [20, 21, 22] };
    const lo = { name: 'lo', samples: [10, 11, 12] };
    expect(compareRows(hi, lo, true).verdict).toBe('faster');
    expect(compareRows(hi, lo, false).verdict).toBe('slower');
    expect(compareRows(lo, hi, false).verdict).toBe('faster');
  });

  it('a row of one sample gets no verdict, even against a row far from it, but keeps its ratio', () => {
    const one = { name: 'one', samples: [40] };
    const many = { name: 'many', samples: [10, 11, 12] };
    expect(compareRows(one, many, true)).toEqual({
      a: 'one',
      b: 'many',
      ratio: { min: 4, median: 4, max: 4 },
      verdict: 'one sample: no verdict',
    });
    expect(compareRows(many, one, true).verdict).toBe('one sample: no verdict');
    expect(compareRows({ name: 'a', samples: [1] }, { name: 'b', samples: [9] }, false).verdict).toBe(
      'one sample: no verdict',
    );
  });
});

const file: BenchFile = {
  bench: 'demo',
  command: 'npm run bench -- demo',
  settings: { rounds: 3 },
  tables: [
    {
      id: 't',
      title: 'Demo rows',
      unit: 'ops/s',
      higherIsBetter: true,
      baseline: 'base',
      rows: [
        { name: 'base', samples: [100, 110, 90] },
        { name: 'same', samples: [105, 95, 100] },
        { name: 'fast', samples: [300, 330, 270] },
      ],
      compare: [['same', 'base']],
    },
  ],
  notes: ['one note'],
  machine: { cpus: 2, cpu: 'x', node: 'v20.19.0', loadavg1m: { start: 1.5, end: 2 } },
  date: '2026-12-01T22:00:00.000Z',
};

describe('docs tables from bench JSON', () => {
  it('renders a marked table with spreads, ratios to the baseline, verdicts and how it was made', () => {
    const doc =
      'before\n<!-- bench:demo/t -->\nstale\n<!-- /bench:demo/t -->\n<!-- bench:demo/notes -->\n<!-- /bench:demo/notes -->\nafter\n';
    expect(renderDoc(doc, new Map([['demo', file]]), 'x.md')).toBe(
      [
        'before',
        '<!-- bench:demo/t -->',
        '*Demo rows.*',
        '',
        '| what | min ops/s | median | max | × base (median, per-round range) | verdict |',
        '|---|---:|---:|---:|:--|:--|',
        '| base | 90.0 | 100 | 110 | 1 | baseline |',
        '| same | 95.0 | 100 | 105 | 1.050 (0.864–1.111) | no measurable difference |',
        '| fast | 270 | 300 | 330 | 3.000 (3.000–3.000) | faster |',
        '',
        '- same against base: ×1.050 (per round 0.864–1.111): **no measurable difference**.',
        '',
        'Made by `npm run bench -- demo` on 2026-12-01 (rounds 3; 2 CPUs, Node v20.19.0, load average 1.5 before the bench and 2 at its end).',
        '<!-- /bench:demo/t -->',
        '<!-- bench:demo/notes -->',
        '- one note',
        '<!-- /bench:demo/notes -->',
        'after',
        '',
      ].join('\n'),
    );
  });

  it('the "Made by" line names the commit measured, a modified tree and an overloaded machine', () => {
    const measured: BenchFile = {
      ...file,
      commit: '0123456789abcdef0123456789abcdef01234567',
      dirty: true,
      machine: { ...file.machine, loadavg1m: { start: 1.5, end: 2.5 }, overloaded: true },
    };
    const rendered = renderDoc(
      '<!-- bench:demo/t -->\n<!-- /bench:demo/t -->',
      new Map([['demo', measured]]),
      'x.md',
    );
    expect(rendered.split('\n').at(-2)).toBe(
      'Made by `npm run bench -- demo` at commit 0123456 plus uncommitted changes on 2026-12-01 (rounds 3; 2 CPUs, ' +
        'Node v20.19.0, load average 1.5 before the bench and 2.5 at its end; overloaded: other work used more than half the 2 CPUs, so the figures say little).',
    );
  });

  it('the "Made by" line says so when a bench ran outside a git checkout', () => {
    const outside: BenchFile = { ...file, commit: null, dirty: null };
    const rendered = renderDoc(
      '<!-- bench:demo/t -->\n<!-- /bench:demo/t -->',
      new Map([['demo', outside]]),
      'x.md',
    );
    expect(rendered.split('\n').at(-2)).toBe(
      'Made by `npm run bench -- demo` outside a git checkout (commit unknown) on 2026-12-01 (rounds 3; 2 CPUs, ' +
        'Node v20.19.0, load average 1.5 before the bench and 2 at its end).',
    );
  });

  it('a marker naming a bench with no JSON is an error that says which command makes it', () => {
    expect(() => renderDoc('<!-- bench:nope/t -->\n<!-- /bench:nope/t -->', new Map(), 'x.md')).toThrow(
      'x.md: bench:nope/t: no bench-results/nope.json (run npm run bench -- nope)',
    );
  });

  const results = loadResults();
  it.each(documents())('%s: every generated table matches bench-results (run npm run docs:tables)', (doc) => {
    const text = readFileSync(join(root, doc), 'utf8');
    expect(renderDoc(text, results, doc)).toBe(text);
  });

  it('every table in bench-results is shown in a document', () => {
    const all = documents()
      .map((d) => readFileSync(join(root, d), 'utf8'))
      .join('\n');
    const missing = [...results.values()].flatMap((f) =>
      f.tables.map((t) => `${f.bench}/${t.id}`).filter((id) => !all.includes(`<!-- bench:${id} -->`)),
    );
    expect(missing).toEqual([]);
  });
});
