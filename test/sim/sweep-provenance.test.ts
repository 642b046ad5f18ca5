/** What a sweep ran: one read of the scenario file, provenance in sweep.json and report.html, one scenario per point. */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabError } from '../../infra/errors.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { loadScenario, resolveScenarioPath } from '../../sim/scenario/load.js';
import { scenarioHash, scenarioHashWithoutSeed } from '../../sim/scenario/hash.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { runSweep, type SweepTransport } from '../../sim/sweep/runner.js';
import { runJob } from '../../sim/sweep/job.js';
import { codeVersion } from '../../sim/sweep/code-version.js';
import type { SweepResult } from '../../sim/sweep/merge.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const short = { durationSec: 5, drainSec: 5 };
const summaryOf = (out: string, point: number, seed: number) =>
  JSON.parse(readFileSync(join(out, 'runs', `point-${point}`, `seed-${seed}`, 'summary.json'), 'utf8')) as {
    scenarioHash: string;
  };

/** A copy of quickstart in a temporary directory, to edit. */
function quickstartCopy(): string {
  const file = join(tmp('sweep-prov-file-'), 'edit-me.yaml');
  copyFileSync(resolveScenarioPath('quickstart'), file);
  return file;
}

describe('a local sweep reads the scenario file once', () => {
  it('runs every seed from the YAML read at the start, though the file is edited after the first run', async () => {
    const file = quickstartCopy();
    const original = readFileSync(file, 'utf8');
    const outDir = join(tmp('sweep-prov-'), 'out');
    const loaded = loadScenario(file, { overrides: short, checks: scenarioChecks });
    await runSweep({
      scenario: file,
      loaded,
      axes: parseGridArgs(['registry.searchLimit=5']),
      seeds: 3,
      workers: 0,
      base: short,
      outDir,
      // After seed 1: the cheap seller's price changes, as a user preparing the next experiment would.
      onProgress: (done) => {
        if (done === 1) writeFileSync(file, original.replace('msat: 2000', 'msat: 5000'));
      },
    });
    const before = loadScenario(quickstartCopyOf(original), {
      overrides: { ...short, 'registry.searchLimit': 5 },
      checks: scenarioChecks,
    });
    // Each run's hash is that of the scenario before the edit, with the run's seed.
    expect([1, 2, 3].map((seed) => summaryOf(outDir, 0, seed).scenarioHash)).toEqual(
      [1, 2, 3].map((seed) => scenarioHash({ ...before, seed })),
    );
    const sweep = JSON.parse(readFileSync(join(outDir, 'sweep.json'), 'utf8')) as SweepResult;
    expect(sweep.points[0]!.scenarioHash).toBe(scenarioHashWithoutSeed(before));
  });

  it('`sim sweep` validates and runs the text it read: an edit once the sweep has started changes nothing', async () => {
    const file = quickstartCopy();
    const original = readFileSync(file, 'utf8');
    const out = join(tmp('sweep-prov-cli-'), 'out');
    const io: CommandIo = {
      out: () => {},
      // The "sweeping …" line comes after every check, before the first run.
      err: (line) => {
        if (line.startsWith('sweeping')) writeFileSync(file, original.replace('msat: 2000', 'msat: 5000'));
      },
      interactive: false,
      now: () => new Date(0),
    };
    const argv = [file, '--grid', 'registry.searchLimit=5', '--seeds', '1', '--workers', '0', '--out', out];
    expect(await sweepCommand([...argv, '--set', 'durationSec=5', '--set', 'drainSec=5'], io)).toBe(0);
    const before = loadScenario(quickstartCopyOf(original), {
      overrides: { ...short, 'registry.searchLimit': 5 },
      checks: scenarioChecks,
    });
    expect(summaryOf(out, 0, 1).scenarioHash).toBe(scenarioHash(before));
  });
});

/** A new file holding `text` (the scenario as it was before an edit). */
function quickstartCopyOf(text: string): string {
  const file = join(tmp('sweep-prov-orig-'), 'orig.yaml');
  writeFileSync(file, text);
  return file;
}

describe('sweep.json and report.html record what ran', () => {
  it('records the --set overrides of every point, each point’s scenario hash without the seed and the code, and the report shows them', async () => {
    const out = join(tmp('sweep-prov-json-'), 'out');
    const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
    const argv = ['quickstart', '--grid', 'buyers[0].decider.name=cheapest,random', '--seeds', '1'];
    const flags = ['--set', 'durationSec=5', '--set', 'drainSec=5', '--workers', '0', '--out', out];
    expect(await sweepCommand([...argv, ...flags], io)).toBe(0);
    const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as {
      provenance: { base: unknown; code: { commit: string; dirty: unknown; source: string } };
      points: { overrides: Record<string, unknown>; scenarioHash: string }[];
    };
    expect(sweep.provenance.base).toEqual(short);
    expect(sweep.provenance.code.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof sweep.provenance.code.dirty).toBe('boolean');
    expect(sweep.provenance.code.source).toBe(codeVersion());
    sweep.points.forEach((p, i) => {
      const s = loadScenario('quickstart', {
        overrides: { ...short, ...p.overrides },
        checks: scenarioChecks,
      });
      expect(p.scenarioHash).toBe(scenarioHashWithoutSeed(s));
      expect(summaryOf(out, i, 1).scenarioHash).toBe(scenarioHash({ ...s, seed: 1 }));
    });
    expect(sweep.points[0]!.scenarioHash).not.toBe(sweep.points[1]!.scenarioHash);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Provenance</h2>');
    expect(html).toContain('durationSec=5; drainSec=5');
    expect(html).toContain(sweep.provenance.code.commit);
    for (const p of sweep.points) expect(html).toContain(p.scenarioHash);
  });
});

describe('the runs of a grid point ran one scenario', () => {
  it('fails the sweep, naming the point and both hashes, when a run reports another scenario hash without the seed; writes no sweep.json', async () => {
    const outDir = join(tmp('sweep-prov-mix-'), 'out');
    // As a run of another scenario would come back: seed 2's reply names another hash.
    const transport: SweepTransport = async (jobs, onDone) => {
      let n = 0;
      for (const job of jobs) {
        const reply = await runJob(job);
        if (reply.ok && job.seed === 2) reply.pointHash = 'f'.repeat(64);
        onDone(reply, ++n);
      }
    };
    const loaded = loadScenario('quickstart', { overrides: short, checks: scenarioChecks });
    const err = await runSweep({
      scenario: 'quickstart',
      loaded,
      axes: parseGridArgs(['registry.searchLimit=5']),
      seeds: 2,
      workers: 0,
      base: short,
      outDir,
      transport,
    }).then(
      () => expect.unreachable('the sweep merged runs of two scenarios'),
      (e: unknown) => e,
    );
    expect(isLabError(err, 'scenario_changed')).toBe(true);
    expect((err as Error).message).toMatch(
      /^grid point 0 \(registry\.searchLimit=5\): seed 1 ran scenario [0-9a-f]{12}… but seed 2 ran ffffffffffff…, so its runs are of different markets and were not merged; keep the scenario file and the code unchanged while a sweep runs, then run the sweep again$/,
    );
    expect(existsSync(join(outDir, 'sweep.json'))).toBe(false);
  });
});

describe('a local sweep records the code it ran', () => {
  const sweepWith = (outDir: string, version: () => string, onProgress?: (done: number) => void) =>
    runSweep({
      scenario: 'quickstart',
      loaded: loadScenario('quickstart', { overrides: short, checks: scenarioChecks }),
      axes: parseGridArgs(['registry.searchLimit=5']),
      seeds: 2,
      workers: 0,
      base: short,
      outDir,
      version,
      ...(onProgress && { onProgress }),
    });

  it('fingerprints the source before the first run and again after the last, and sweep.json names the code fingerprinted first', async () => {
    const outDir = join(tmp('sweep-prov-code-'), 'out');
    const events: string[] = [];
    await sweepWith(
      outDir,
      () => (events.push('fingerprint'), 'cccccccccccc'),
      (done) => events.push(`run ${done}`),
    );
    expect(events).toEqual(['fingerprint', 'run 1', 'run 2', 'fingerprint']);
    const sweep = JSON.parse(readFileSync(join(outDir, 'sweep.json'), 'utf8')) as SweepResult;
    expect(sweep.provenance!.code.source).toBe('cccccccccccc');
  });

  it('fails with code_changed, naming both versions, when the source changed while it ran: nothing merged, no sweep.json, no lock left', async () => {
    const outDir = join(tmp('sweep-prov-changed-'), 'out');
    const versions = ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'];
    const err = await sweepWith(outDir, () => versions.shift()!).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'code_changed',
      message:
        'the source changed while the sweep ran (code aaaaaaaaaaaa at its start, bbbbbbbbbbbb at its end), ' +
        'so its runs may have run different code and were not merged (no sweep.json was written): ' +
        'wait for the checkout or edit to finish, then run the sweep again',
    });
    expect(versions).toEqual([]);
    expect(existsSync(join(outDir, 'sweep.json'))).toBe(false);
    expect(existsSync(join(outDir, 'out.lock'))).toBe(false);
  });
});
