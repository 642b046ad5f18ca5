import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { SweepJob } from '../../sim/sweep/protocol.js';
import { SweepThreads } from '../../sim/sweep/queue-threads.js';

describe("a queue worker's threads", () => {
  it('refuse to start when the source changes while they load it, naming both versions', async () => {
    const versions = ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'];
    const err = await SweepThreads.start(1, () => versions.shift()!).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'code_changed',
      message:
        "the source changed while the worker's threads loaded it (code aaaaaaaaaaaa, then bbbbbbbbbbbb): " +
        'wait for the checkout to finish, then start the worker again',
    });
    expect(versions).toEqual([]);
  }, 60_000);

  it('all start and load the code before the first job, and their version is the one fingerprinted then', async () => {
    let fingerprints = 0;
    const threads = await SweepThreads.start(2, () => {
      fingerprints++;
      return 'aaaaaaaaaaaa';
    });
    // Before and after loading: no job has run yet.
    expect(fingerprints).toBe(2);
    expect(threads.code).toBe('aaaaaaaaaaaa');
    const reply = await threads.run({
      id: 7,
      scenario: 'quickstart',
      overrides: { 'buyers[0].budgetMsat': -1 },
      seed: 1,
    });
    expect(reply).toMatchObject({ id: 7, ok: false, code: 'invalid_scenario' });
    expect(fingerprints).toBe(2);
    await threads.close();
  }, 60_000);

  // Real threads cannot be made to crash on demand, so these run a scripted thread: it answers the
  // warm-up and `ok` jobs, throws on `crash` (an uncaught error) and calls process.exit(3) on `exit`.
  const scripted = () => {
    spawned++;
    return new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', (job) => {
         if (job.scenario === 'crash') throw new Error('boom');
         if (job.scenario === 'exit') process.exit(3);
         parentPort.postMessage({ id: job.id, ok: false, code: 'scripted', message: job.scenario });
       });`,
      { eval: true },
    );
  };
  let spawned = 0;
  const job = (id: number, scenario: string): SweepJob => ({ id, scenario, overrides: {}, seed: 1 });

  it('replace a thread that crashed while the source is unchanged, and the next job runs', async () => {
    spawned = 0;
    const threads = await SweepThreads.start(1, () => 'aaaaaaaaaaaa', scripted);
    await expect(threads.run(job(1, 'crash'))).rejects.toThrow(
      'the sweep thread crashed running job 1: boom',
    );
    expect(await threads.run(job(2, 'ok'))).toEqual({ id: 2, ok: false, code: 'scripted', message: 'ok' });
    expect(spawned).toBe(2);
    await threads.close();
  });

  it('reject the job of a thread that exits without an error, instead of waiting for it forever', async () => {
    spawned = 0;
    const threads = await SweepThreads.start(1, () => 'aaaaaaaaaaaa', scripted);
    await expect(threads.run(job(3, 'exit'))).rejects.toThrow(
      'the sweep thread exited with code 3 running job 3',
    );
    expect(await threads.run(job(4, 'ok'))).toEqual({ id: 4, ok: false, code: 'scripted', message: 'ok' });
    expect(spawned).toBe(2);
    await threads.close();
  });

  it('after a crash, refuse to start a new thread once the source on disk changed, saying to restart', async () => {
    spawned = 0;
    const versions = ['aaaaaaaaaaaa', 'aaaaaaaaaaaa', 'bbbbbbbbbbbb'];
    const threads = await SweepThreads.start(1, () => versions.shift()!, scripted);
    await expect(threads.run(job(5, 'crash'))).rejects.toThrow('running job 5: boom');
    await expect(threads.run(job(6, 'ok'))).rejects.toMatchObject({
      code: 'code_changed',
      message:
        'the source on disk changed since this worker started (it runs code aaaaaaaaaaaa, the disk has bbbbbbbbbbbb), ' +
        'so a new thread would run other code: restart the worker to run the new code',
    });
    expect(spawned).toBe(1);
    await threads.close();
  });
});
