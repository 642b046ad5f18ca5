/** The figure scripts check their input: a wrong or partial sweep directory is one line and exit 2, never a stack trace. */
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure as run, tmp } from './figure-script.js';

const figure = (script: 'negotiation' | 'success-vs-amount', dir: string) => run(script, [dir]);

/** A sweep directory holding `sweep` as its sweep.json. */
function sweepDir(sweep: unknown): string {
  const dir = tmp();
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify(sweep));
  return dir;
}

describe('figure scripts on a wrong input', () => {
  it('negotiation: a directory with no sweep.json says which command makes it, exit 2', () => {
    const dir = join(tmp(), 'none');
    expect(figure('negotiation', dir)).toEqual({
      code: 2,
      out: '',
      err: `${dir} has no sweep.json, so it is not a negotiation sweep's output: run \`npm run sim -- sweep negotiation --out ${dir}\` first\n`,
    });
  });

  it('negotiation: a sweep of another scenario is refused by name, exit 2', () => {
    const dir = sweepDir({ scenario: 'quickstart', seeds: [1], points: [] });
    expect(figure('negotiation', dir)).toEqual({
      code: 2,
      out: '',
      err: `${join(dir, 'sweep.json')} is a sweep of "quickstart", so it is not a negotiation sweep's output: run \`npm run sim -- sweep negotiation --out runs/sweep-negotiation\` first and give that folder to this script (a sweep into ${dir} would replace what is there)\n`,
    });
  });

  it('success-vs-amount: a directory with no sweep.json says which command makes it, exit 2', () => {
    const dir = join(tmp(), 'none');
    expect(figure('success-vs-amount', dir)).toEqual({
      code: 2,
      out: '',
      err: `${dir} has no sweep.json, so it is not a success-vs-amount sweep's output: run \`npm run sim -- sweep success-vs-amount --out ${dir}\` first\n`,
    });
  });

  it('success-vs-amount: a point without one of its buyer groups is refused, exit 2', () => {
    const dir = sweepDir({
      scenario: 'success-vs-amount',
      seeds: [1],
      points: [{ index: 0, label: 'baseline', overrides: {}, seeds: [1], groups: {} }],
    });
    expect(figure('success-vs-amount', dir)).toMatchObject({
      code: 2,
      err: `point P0 has no agent group "pay-1k", so it is not a success-vs-amount sweep's output: run \`npm run sim -- sweep success-vs-amount --out runs/sweep-success-vs-amount\` first and give that folder to this script (a sweep into ${dir} would replace what is there)\n`,
    });
  });
});

describe('negotiation figure on a sweep with a failed run', () => {
  it('skips the failed seed (it has no summary.json), says so, and pairs over the common seeds', () => {
    const groups = { hagglers: {}, posted: {} };
    const point = (index: number, seeds: number[]) => ({
      index,
      label: `negotiate=${index === 0 ? 'off' : 'on'}`,
      overrides: { negotiate: index === 0 ? 'off' : 'on' },
      seeds,
      groups,
    });
    const dir = sweepDir({
      scenario: 'negotiation',
      seeds: [1, 2, 3],
      points: [point(0, [1, 2, 3]), point(1, [1, 3])],
      failures: [{ point: 'negotiate=on', seed: 2, code: 'run_failed', message: 'boom' }],
    });
    const runs: [number, number, number][] = [
      [0, 1, 5000],
      [0, 2, 5200],
      [0, 3, 5100],
      [1, 1, 4000],
      [1, 3, 4300],
    ];
    for (const [p, seed, msat] of runs) {
      const at = join(dir, 'runs', `point-${p}`, `seed-${seed}`);
      mkdirSync(at, { recursive: true });
      const g = (spentMsat: number) => ({ spentMsat, paidCalls: 1 });
      writeFileSync(
        join(at, 'summary.json'),
        JSON.stringify({ groups: { hagglers: g(msat), posted: g(6000) } }),
      );
    }
    const r = figure('negotiation', dir);
    expect(r.err).toBe('skipped 1 failed run(s): P1 seed 2\n');
    expect(r.code).toBe(0);
    expect(r.out).toContain('| on | 4150 ± 1906 | 6000 ± 0 |');
    expect(r.out).toContain("hagglers' msat/call, negotiate=on − negotiate=off: -900 [");
    expect(r.out).toContain('over 2 paired seeds');
  });
});
