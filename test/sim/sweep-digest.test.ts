/** A sweep merges compact per-run digests: the same result as merging the summaries, none of which it keeps. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Summary } from '../../sim/metrics/summary.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { expandGrid, parseGridArgs } from '../../sim/sweep/grid.js';
import { mergeRuns, type SweepRun } from '../../sim/sweep/merge.js';
import { runSweep, type SweepTransport } from '../../sim/sweep/runner.js';
import { digestRun } from '../../sim/sweep/digest.js';
import type { SweepJob, SweepReply } from '../../sim/sweep/protocol.js';

const base = { durationSec: 10, drainSec: 20 };
const loaded = loadScenario('quickstart', { overrides: base, checks: scenarioChecks });
const golden = readFileSync(new URL('./golden/quickstart-seed1.json', import.meta.url), 'utf8');

describe('a sweep merges digests of its runs', () => {
  it('gives, over worker threads, exactly the SweepResult that mergeRuns gives from the summary.json files it wrote', async () => {
    const axes = parseGridArgs(['buyers[0].decider.name=cheapest,random', 'buyers[0].count=2,3']);
    const outDir = mkdtempSync(join(tmpdir(), 'sweep-digest-'));
    const { result } = await runSweep({
      scenario: 'quickstart',
      loaded,
      axes,
      seeds: 3,
      workers: 2,
      base,
      outDir,
    });
    const runs: SweepRun[] = [];
    for (let point = 0; point < 4; point++)
      for (const seed of [1, 2, 3]) {
        const file = join(outDir, 'runs', `point-${point}`, `seed-${seed}`, 'summary.json');
        runs.push({ point, seed, summary: JSON.parse(readFileSync(file, 'utf8')) as Summary });
      }
    const fromSummaries = mergeRuns(loaded.name, axes, expandGrid(axes), runs);
    expect(result).toEqual(fromSummaries);
    expect(JSON.stringify(result)).toBe(JSON.stringify(fromSummaries));
    expect(Object.keys(result.points[0]!.groups)).toEqual(['bargain', 'quality']);
    expect(Object.keys(result.points[0]!.sellers)).toEqual(['cheap-feed-0', 'mid-feed-0']);
  }, 180_000);

  it('is 984 characters of JSON for the quickstart golden summary of 24,994', () => {
    expect(golden.length).toBe(24_994);
    expect(JSON.stringify(digestRun(JSON.parse(golden) as Summary)).length).toBe(984);
  });
});

describe('a sweep as replies arrive', () => {
  it('writes each run’s summary.json before the next reply comes, and keeps none of 40 summaries alive (only the one the test holds)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const outDir = mkdtempSync(join(tmpdir(), 'sweep-digest-'));
    const alive: WeakRef<Summary>[] = [];
    const writtenOnArrival: boolean[] = [];
    let held: Summary | undefined;
    // A reply of the golden summary, a fresh object each time (made outside the transport's
    // async frame, whose suspended registers could keep the last one).
    const reply = (job: SweepJob): SweepReply => {
      const summary = JSON.parse(golden) as Summary;
      alive.push(new WeakRef(summary));
      held ??= summary;
      return { id: job.id, ok: true, summary, pointHash: summary.scenarioHash, wallMs: 1 };
    };
    const transport: SweepTransport = async (jobs, onDone) => {
      for (const job of [...jobs].reverse()) {
        onDone(reply(job), alive.length);
        const point = Math.floor(job.id / 2);
        writtenOnArrival.push(
          existsSync(join(outDir, 'runs', `point-${point}`, `seed-${job.seed}`, 'summary.json')),
        );
      }
      await sleep(0); // WeakRefs are kept alive until the current job ends
      gc();
    };
    const axes = parseGridArgs([`durationSec=${Array.from({ length: 20 }, (_, i) => i + 1).join(',')}`]);
    const r = await runSweep({
      scenario: 'quickstart',
      loaded,
      axes,
      seeds: 2,
      workers: 0,
      outDir,
      transport,
    });
    expect(writtenOnArrival).toEqual(new Array(40).fill(true));
    expect(alive.filter((w) => w.deref() !== undefined)).toEqual([alive[0]]);
    expect(held).toBe(alive[0]!.deref());
    expect(r.result.runs.map((x) => [x.point, x.seed])).toEqual(
      Array.from({ length: 40 }, (_, i) => [Math.floor(i / 2), (i % 2) + 1]),
    );
    expect(readdirSync(join(outDir, 'runs'))).toHaveLength(20);
    expect(readFileSync(join(outDir, 'runs', 'point-19', 'seed-2', 'summary.json'), 'utf8')).toBe(golden);
  }, 60_000);
});
