/** A sweep thread that dies fails only its own run; the pool replaces it and finishes the others. */
import { describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { runPool, spawnWorker } from '../../sim/sweep/pool.js';
import type { SweepJob } from '../../sim/sweep/protocol.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';

const DIED = 'the sweep thread died: it exited with code 1';

/**
 * A real sweep thread that is terminated when it is handed a job `dies` picks: the thread ends
 * mid-job as a crashed one does (out of memory, an exit), deterministically. (A thread driven out
 * of memory can take the whole process down with it on some V8 allocation paths.)
 */
function dyingOn(dies: (job: SweepJob) => boolean, threads: Worker[] = []): () => Worker {
  return () => {
    const w = spawnWorker();
    threads.push(w);
    const post = w.postMessage.bind(w);
    w.postMessage = (job: SweepJob) => (dies(job) ? void w.terminate() : post(job));
    return w;
  };
}

const job = (id: number, count: number, seed: number): SweepJob => ({
  id,
  scenario: 'quickstart',
  overrides: { durationSec: 5, drainSec: 5, 'buyers[0].count': count },
  seed,
});

describe('runPool when a worker thread dies', () => {
  it('reports the run whose thread died as worker_crashed and completes the others on a new thread', async () => {
    const threads: Worker[] = [];
    const exited: number[] = [];
    const dying = dyingOn((j) => j.id === 1, threads);
    const spawn = () => {
      const w = dying();
      w.on('exit', () => exited.push(w.threadId));
      return w;
    };
    const jobs = [job(0, 3, 1), job(1, 4, 1), job(2, 3, 2)];
    const done: number[] = [];
    const replies = await runPool(jobs, 1, (r) => done.push(r.id), spawn);
    expect(replies.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'worker_crashed', 'ok']);
    expect(replies[1]).toMatchObject({
      id: 1,
      message: DIED,
    });
    expect(done).toEqual([0, 1, 2]);
    // The crashed thread was replaced by one more, and no thread is left running.
    expect(threads).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(exited).toHaveLength(2);
  }, 120_000);

  it('still writes the sweep’s outputs, listing the crashed run among the failures', async () => {
    const base = { durationSec: 5, drainSec: 5 };
    const loaded = loadScenario('quickstart', { overrides: base, checks: scenarioChecks });
    const outDir = mkdtempSync(join(tmpdir(), 'sweep-crash-'));
    const r = await runSweep({
      scenario: 'quickstart',
      loaded,
      axes: parseGridArgs(['buyers[0].count=3,4']),
      seeds: 1,
      workers: 1,
      base,
      outDir,
      transport: (js, onDone) =>
        runPool(
          js,
          1,
          onDone,
          dyingOn((j) => j.overrides['buyers[0].count'] === 4),
        ),
    });
    const failure = { point: 'buyers[0].count=4', seed: 1, code: 'worker_crashed', message: DIED };
    expect(r.failures).toEqual([failure]);
    const written = JSON.parse(readFileSync(join(outDir, 'sweep.json'), 'utf8')) as { failures: unknown };
    expect(written.failures).toEqual([failure]);
    expect(existsSync(join(outDir, 'runs', 'point-0', 'seed-1', 'summary.json'))).toBe(true);
    expect(r.result.points.map((p) => p.seeds)).toEqual([[1], []]);
  }, 120_000);
});
