/**
 * README.md's quickstart sample is `npm start`'s output: every line it shows is an output line,
 * consecutive lines are consecutive in the output, and `…` stands for what it leaves out (a line
 * of its own: any lines; inside a line: any text, such as the folder `npm start` ran in).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ELIDED = '…';

/** The plain fenced block after "`npm start` runs" in README.md's Quickstart: the sample output. */
function quickstartSample(readme: string): string[] {
  const lines = readme.split('\n');
  const from = lines.findIndex((l) => l.includes('`npm start` runs'));
  const open = lines.findIndex((l, i) => i > from && l === '```');
  const close = lines.findIndex((l, i) => i > open && l === '```');
  return lines.slice(open + 1, close);
}

/** The sample lines that do not match `output`, as `line: sample ≠ output` (empty when it matches). */
function sampleMismatches(sample: string[], output: string[]): string[] {
  const pattern = (line: string) =>
    new RegExp(
      `^${line
        .split(ELIDED)
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
  let at = 0;
  let skipping = false;
  const out: string[] = [];
  for (const line of sample) {
    if (line === ELIDED) {
      skipping = true;
      continue;
    }
    const re = pattern(line);
    const found = skipping
      ? output.findIndex((o, i) => i >= at && re.test(o))
      : re.test(output[at] ?? '')
        ? at
        : -1;
    if (found < 0)
      out.push(`${line} ≠ ${skipping ? '(no later output line)' : (output[at] ?? '(end of output)')}`);
    else at = found + 1;
    skipping = false;
  }
  return out;
}

/** What `npm start` prints on stdout, run as package.json's start script says, in an empty folder. */
function npmStart(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = pkg.scripts.start.replace(/^exec /, '').split(' ');
  expect(node).toBe('node');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const argv = args.map((a) => (a === 'tsx' ? tsx : a.endsWith('.ts') ? join(root, a) : a));
  const cwd = mkdtempSync(join(tmpdir(), 'npm-start-'));
  const r = spawnSync(process.execPath, argv, { cwd, encoding: 'utf8', timeout: 120_000 });
  expect(r.status).toBe(0);
  return r.stdout.split('\n');
}

describe('the elided-sample matcher', () => {
  it('matches lines in order, `…` lines skipping any lines and `…` in a line any text; names a line that differs', () => {
    const output = ['a', 'b', 'c', 'path /x/y/z', 'd'];
    expect(sampleMismatches(['a', 'b', ELIDED, 'path …/z'], output)).toEqual([]);
    expect(sampleMismatches(['a', 'c'], output)).toEqual(['c ≠ b']);
    expect(sampleMismatches(['a', ELIDED, 'e'], output)).toEqual(['e ≠ (no later output line)']);
  });
});

describe("README.md's quickstart sample", () => {
  it('shows `npm start` output line for line where it shows lines', () => {
    const sample = quickstartSample(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(sample[0]).toMatch(/^quickstart \(seed 1, embedded\)/);
    expect(sampleMismatches(sample, npmStart())).toEqual([]);
  }, 120_000);
});
