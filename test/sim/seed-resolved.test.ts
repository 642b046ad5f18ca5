/**
 * The seed a run ran with is the seed of its resolved scenario and of its hash, however it was
 * given: `--seed 2` wrote resolvedScenario.seed 1 (the file's) to meta.json, so re-running from
 * it ran another market, and `--seed 2` and `--set seed=2` ran byte-identical markets under two
 * hashes. A sweep's seeds are the runs' seeds the same way.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../sim/commands/run-command.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { runScenario } from '../../sim/run.js';
import { summaryJson } from '../../sim/report/write-run.js';
import { loadScenario, validateScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { scenarioHash } from '../../sim/scenario/hash.js';
import type { Scenario } from '../../sim/scenario/schema.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const tmp = (prefix: string) => join(mkdtempSync(join(tmpdir(), prefix)), 'out');
const short = ['--set', 'durationSec=20', '--no-png'];
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const metaOf = (dir: string) =>
  JSON.parse(read(dir, 'meta.json')) as { seed: unknown; scenarioHash: string; resolvedScenario: Scenario };

/** `sim run quickstart` shortened, with `flags`; its out directory. */
async function run(flags: string[]): Promise<string> {
  const out = tmp('seed-resolved-');
  expect(await runCommand(['quickstart', ...short, ...flags, '--out', out], io)).toBe(0);
  return out;
}

describe('sim run --seed: the resolved scenario and its hash are of the seed that ran', () => {
  it('--seed 2 and --set seed=2 write resolvedScenario.seed 2, one hash (that of the resolved scenario), the same summary.json', async () => {
    const flag = await run(['--seed', '2']);
    const set = await run(['--set', 'seed=2']);
    const meta = metaOf(flag);
    expect(meta.seed).toBe(2);
    expect(meta.resolvedScenario.seed).toBe(2);
    expect(meta.scenarioHash).toBe(scenarioHash(meta.resolvedScenario));
    expect(metaOf(set).resolvedScenario).toEqual(meta.resolvedScenario);
    expect(metaOf(set).scenarioHash).toBe(meta.scenarioHash);
    expect(read(set, 'summary.json')).toBe(read(flag, 'summary.json'));
    const seed1 = loadScenario('quickstart', { overrides: { durationSec: 20 }, checks: scenarioChecks });
    expect(meta.scenarioHash).not.toBe(scenarioHash(seed1));
  });

  it('re-running meta.json’s resolvedScenario as it stands repeats the run to the byte', async () => {
    const out = await run(['--seed', '2']);
    const v = validateScenario(metaOf(out).resolvedScenario, scenarioChecks);
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const again = await runScenario(v.scenario);
    expect(summaryJson(again.summary)).toBe(read(out, 'summary.json'));
  });
});

describe('sim sweep: each run’s hash is that of its scenario with its seed', () => {
  it('each seed’s hash is the point’s scenario with that seed; seed 2 writes the summary.json of sim run with the point’s --set and --seed 2', async () => {
    const sweep = tmp('seed-resolved-sweep-');
    const grid = ['--grid', 'registry.searchLimit=3', '--seeds', '2', '--workers', '0'];
    expect(await sweepCommand(['quickstart', ...grid, '--set', 'durationSec=20', '--out', sweep], io)).toBe(
      0,
    );
    const single = await run(['--set', 'registry.searchLimit=3', '--seed', '2']);
    expect(read(join(sweep, 'runs', 'point-0', 'seed-2'), 'summary.json')).toBe(read(single, 'summary.json'));
    const point = loadScenario('quickstart', {
      overrides: { durationSec: 20, 'registry.searchLimit': 3 },
      checks: scenarioChecks,
    });
    const hashOf = (seed: number) =>
      (
        JSON.parse(read(join(sweep, 'runs', 'point-0', `seed-${seed}`), 'summary.json')) as {
          scenarioHash: string;
        }
      ).scenarioHash;
    expect([hashOf(1), hashOf(2)]).toEqual([
      scenarioHash({ ...point, seed: 1 }),
      scenarioHash({ ...point, seed: 2 }),
    ]);
    expect(hashOf(2)).toBe(metaOf(single).scenarioHash);
  });
});
