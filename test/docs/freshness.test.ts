import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshness, freshnessReport } from '../bench/freshness.js';
import { checkout, history, type History } from '../bench/git.js';
import { reachableFiles } from '../bench/imports.js';
import type { BenchFile } from '../bench/tables.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const F = '0'.repeat(40);
const bench = (name: string, more: Partial<BenchFile> = {}): BenchFile => ({
  bench: name,
  command: `npm run bench -- ${name}`,
  settings: {},
  tables: [],
  machine: { cpus: 2, cpu: 'x', node: 'v20.19.0', loadavg1m: { start: 0.5, end: 0.5 } },
  date: '2026-12-01T22:00:00.000Z',
  ...more,
});

/**
 * A history holding commits A, B and F, where only commit B is followed by commits touching `infra/x.ts`,
 * and git fails asking what followed F.
 */
function fakeHistory(asked: string[][], shallow = false): History {
  return {
    shallow,
    has: (c) => c === A || c === B || c === F,
    since: (c, paths) => {
      asked.push([...paths]);
      if (c === F) return null;
      return c === B && paths.includes('infra/x.ts') ? ['ccc1111', 'ddd2222'] : [];
    },
  };
}

describe('bench JSON against the history of the code it times', () => {
  const timed = (name: string) => (name === 'gone' ? undefined : ['infra/x.ts', 'test/bench/tables.ts']);

  it('stale, current and unknown-age JSON are told apart, with the reason for each unknown (git failing included)', () => {
    const asked: string[][] = [];
    const files = [
      bench('old', { commit: B, dirty: true }),
      bench('new', { commit: A, dirty: false }),
      bench('before-commits'),
      bench('copy', { commit: null, dirty: null }),
      bench('elsewhere', { commit: 'e'.repeat(40) }),
      bench('gone', { commit: A }),
      bench('broken-git', { commit: F }),
    ];
    expect(freshness(files, timed, fakeHistory(asked))).toEqual([
      { bench: 'old', state: 'stale', commit: B, dirty: true, newer: ['ccc1111', 'ddd2222'] },
      { bench: 'new', state: 'current', commit: A, dirty: false },
      {
        bench: 'before-commits',
        state: 'unknown',
        why: 'no commit recorded (JSON written before benches recorded it)',
      },
      { bench: 'copy', state: 'unknown', why: 'measured outside a git checkout, no commit recorded' },
      { bench: 'elsewhere', state: 'unknown', why: "commit eeeeeee is not in this repository's history" },
      { bench: 'gone', state: 'unknown', why: 'no test/bench/gone.bench.ts to say what it times' },
      { bench: 'broken-git', state: 'unknown', why: 'git log since 0000000 failed' },
    ]);
    // The renderer's own file changes no figure; the lockfile's dependency versions do.
    expect(asked).toEqual([
      ['infra/x.ts', 'package-lock.json'],
      ['infra/x.ts', 'package-lock.json'],
      ['infra/x.ts', 'package-lock.json'],
    ]);
  });

  it('a shallow clone or no git history degrades to unknown, never to stale', () => {
    const files = [bench('far', { commit: 'f'.repeat(40) }), bench('near', { commit: A })];
    expect(freshness(files, timed, fakeHistory([], true))).toEqual([
      {
        bench: 'far',
        state: 'unknown',
        why: 'commit fffffff is not in this shallow clone (fetch the full history to check)',
      },
      { bench: 'near', state: 'current', commit: A, dirty: false },
    ]);
    expect(freshness([bench('near', { commit: A })], timed, undefined)).toEqual([
      { bench: 'near', state: 'unknown', why: 'not a git checkout here, so no history to compare with' },
    ]);
  });

  it('the report has a line per stale or unknown JSON and none for current JSON', () => {
    expect(
      freshnessReport([
        { bench: 'old', state: 'stale', commit: B, dirty: true, newer: ['ccc1111', 'ddd2222'] },
        { bench: 'one', state: 'stale', commit: A, dirty: false, newer: ['ccc1111'] },
        { bench: 'new', state: 'current', commit: A, dirty: false },
        { bench: 'copy', state: 'unknown', why: 'measured outside a git checkout, no commit recorded' },
      ]),
    ).toEqual([
      'old: measured at bbbbbbb plus uncommitted changes; 2 later commits touch what it times (newest ccc1111): re-run npm run bench -- old',
      'one: measured at aaaaaaa; 1 later commit touches what it times (newest ccc1111): re-run npm run bench -- one',
      'copy: age unknown: measured outside a git checkout, no commit recorded',
    ]);
  });

  it('outside a git checkout the commit and tree state are unknown and there is no history', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-nogit-'));
    expect(checkout(dir)).toEqual({ commit: null, dirty: null });
    expect(history(dir)).toBeUndefined();
  });
});

describe('what a bench times: the files its imports reach', () => {
  it('follows static, re-exported and dynamic relative imports, through cycles, and no packages', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-imports-'));
    mkdirSync(join(root, 'lib', 'deep'), { recursive: true });
    const files: Record<string, string> = {
      'bench.ts':
        "import { x } from './lib/x.js';\nimport 'node:fs';\nimport { y } from 'pkg';\nvoid x, y;\n",
      'lib/x.ts': "export * from './deep/index.js';\nexport const x = async () => import('../dyn.js');\n",
      'lib/deep/index.ts': "import {\n  x,\n} from '../x.js';\nexport const z = x;\n",
      'dyn.ts': 'export {};\n',
      'unused.ts': 'export {};\n',
    };
    for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
    expect(reachableFiles(root, 'bench.ts')).toEqual(['bench.ts', 'dyn.ts', 'lib/deep/index.ts', 'lib/x.ts']);
  });
});
