/** `sim validate` refuses a file whose own sweep section `sim sweep` would refuse, with the sweep's words. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { failureExit } from '../../sim/commands/failure.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { resolveScenarioPath } from '../../sim/scenario/load.js';
import { sweepFailure } from './sweep-failure.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };

/** A copy of quickstart with `sweep` appended as its sweep section. */
function withSweep(sweep: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'validate-sweep-')), 'sized.yaml');
  writeFileSync(file, `${readFileSync(resolveScenarioPath('quickstart'), 'utf8')}sweep:\n${sweep}\n`);
  return file;
}

/** What `sim validate <file>` prints through the CLI's error handling, and its exit code. */
async function validateFailure(file: string): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const err = await validateCommand([file], io).then(
    () => expect.unreachable('validate accepted the file'),
    (e: unknown) => e,
  );
  return { code: failureExit('validate', err, (t) => lines.push(t)), text: lines.join('\n') };
}

/** The sweep's refusal of `file` (no flags: seeds and grid from the file). */
async function sweepText(file: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'validate-sweep-out-')), 'out');
  return (await sweepFailure([file, '--out', out])).text;
}

describe('validate applies the sweep’s limits to the file’s own sweep section', () => {
  it('refuses sweep.seeds over 1,000 with the message sim sweep gives, exit 1', async () => {
    const file = withSweep('  seeds: 5000\n  grid: { durationSec: [5] }');
    const message = `sweep.seeds: 5000 in ${file}: a sweep runs 1 to 1,000 seeds per grid point; set sweep.seeds to 1000 or fewer in the file, or give --seeds N`;
    expect(await sweepText(file)).toBe(message);
    expect(await validateFailure(file)).toEqual({
      code: 1,
      text: `${file}: scenario is invalid\n  ${message}\n\nfix the file and try again.`,
    });
  });

  it('refuses sweep.grid points × sweep.seeds over 100,000 runs, naming both file fields', async () => {
    const values = Array.from({ length: 101 }, (_, i) => i + 5).join(', ');
    const file = withSweep(`  seeds: 1000\n  grid: { durationSec: [${values}] }`);
    const message = `this sweep has 101 grid points × 1000 seeds = 101,000 runs (grid from sweep.grid in ${file}, seeds from sweep.seeds in ${file}), more than the 100,000 one sweep merges (it keeps a digest of every run in memory until they are merged); use fewer grid values or seeds, or split it into several sweeps`;
    expect(await sweepText(file)).toBe(message);
    expect(await validateFailure(file)).toEqual({
      code: 1,
      text: `${file}: scenario is invalid\n  ${message}\n\nfix the file and try again.`,
    });
  });

  it('refuses a seed axis in sweep.grid, as the sweep does', async () => {
    const file = withSweep('  grid: { seed: [1, 2] }');
    const message = `sweep.grid.seed in ${file}: a sweep runs seeds 1..N at every grid point, so the seed cannot be a grid axis; remove it from the file's sweep.grid and set sweep.seeds (or give --seeds N)`;
    expect(await sweepText(file)).toBe(message);
    expect((await validateFailure(file)).text).toBe(
      `${file}: scenario is invalid\n  ${message}\n\nfix the file and try again.`,
    );
  });

  it('refuses one path named twice in sweep.grid, naming the file field (not a --grid flag)', async () => {
    const file = withSweep("  grid: { 'buyers[0].count': [2, 3], 'buyers.0.count': [4] }");
    const message = `sweep.grid in ${file} names buyers[0].count and buyers.0.count, one path, so one axis would replace the other: give it once with all its values (buyers[0].count: [2, 3, 4])`;
    expect(await sweepText(file)).toBe(message);
    expect((await validateFailure(file)).text).toBe(
      `${file}: scenario is invalid\n  ${message}\n\nfix the file and try again.`,
    );
  });

  it('accepts 1,000 seeds of one grid point, the largest the sweep runs', async () => {
    const file = withSweep('  seeds: 1000\n  grid: { durationSec: [5] }');
    expect(await validateCommand([file], io)).toBe(0);
  });
});
