/**
 * A sweep's total work is bounded (sim/sweep/sweep-work.ts, `MAX_SWEEP_WORK`): one run is held to
 * 10,000,000 calls and 10,000,000 quotes, but a sweep of up to 100,000 such runs had no bound and
 * would have run for years. Now a sweep whose runs are expected to make more than 1,000,000,000
 * calls and quotes in all is refused before any run starts, by `sim sweep` and by `sim validate`
 * for the file's own sweep section.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { failureExit } from '../../sim/commands/failure.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { checkSweepWork, MAX_SWEEP_WORK } from '../../sim/sweep/sweep-work.js';
import { minimalMarket, writeScenario } from './scenario-fixture.js';
import { sweepFailure } from './sweep-failure.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };

/**
 * The minimal market at a run's limits: 100 buyers × 6,000 one-call tasks a minute × 1,000 s are
 * 10,000,000 calls, each task quoting the one seller: 20,000,000 calls and quotes a run.
 */
const busy = (sweep?: unknown) =>
  minimalMarket('busy', {
    'buyers[0].count': 100,
    'buyers[0].arrivals.ratePerMin': 6000,
    durationSec: 1000,
    ...(sweep !== undefined && { sweep }),
  });

const WHAT =
  'more than the 1,000,000,000 one sweep makes: each run simulates its calls and quotes in turn, a few hundred to a few thousand ' +
  "a second on each worker, so 1,000,000,000 take a day or more on one machine; use fewer seeds or grid points, lower the busiest points' " +
  'work (durationSec, arrival rates, counts, calls, registry.searchLimit), or split it into several sweeps';

describe('a sweep expected to make more than 1,000,000,000 calls and quotes is refused before any run', () => {
  it('2 grid points × 26 seeds of 20,000,000 each (1,040,000,000) is refused by sim sweep, exit 2, nothing written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sweep-work-')), 'out');
    const args = ['--grid', 'drainSec=0,1', '--seeds', '26', '--out', out];
    expect(await sweepFailure([writeScenario(busy()), ...args])).toEqual({
      code: 2,
      text:
        'this sweep (52 runs: 2 grid points × 26 seeds) is expected to make about 1,040,000,000 calls and quotes in all, ' +
        `the most at grid point 0 (drainSec=0): about 20,000,000 a run; ${WHAT}`,
    });
    expect(existsSync(out)).toBe(false);
  });

  it('the file’s own sweep section over the bound is refused by sim validate, naming the file’s fields', async () => {
    const file = writeScenario(busy({ grid: { drainSec: [0, 1] }, seeds: 26 }));
    const lines: string[] = [];
    const err = await validateCommand([file], io).then(
      () => expect.unreachable('validate accepted the file'),
      (e: unknown) => e,
    );
    expect(failureExit('validate', err, (t) => lines.push(t))).toBe(1);
    expect(lines.join('\n')).toBe(
      `${file}: scenario is invalid\n  this sweep (52 runs: 2 grid points × 26 seeds) (grid from sweep.grid in ${file}, ` +
        `seeds from sweep.seeds in ${file}) is expected to make about 1,040,000,000 calls and quotes in all, ` +
        `the most at grid point 0 (drainSec=0): about 20,000,000 a run; ${WHAT}\n\nfix the file and try again.`,
    );
  });

  it('exactly 1,000,000,000 passes (2 points × 25 seeds of 20,000,000); a point of uncountable work does not', () => {
    expect(MAX_SWEEP_WORK).toBe(1_000_000_000);
    const points = [
      { index: 0, label: 'drainSec=0', work: 20_000_000 },
      { index: 1, label: 'drainSec=1', work: 20_000_000 },
    ];
    expect(() => checkSweepWork(points, 25)).not.toThrow();
    expect(() => checkSweepWork([{ index: 0, label: 'x=1', work: NaN }], 1)).toThrow(
      'this sweep (1 run: 1 grid point × 1 seed) is expected to make uncountably many calls and quotes in all',
    );
  });
});
