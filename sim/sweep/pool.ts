import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { SweepJob, SweepReply } from './protocol.js';
import { runJob } from './job.js';

/**
 * Runs sweep jobs over `workers` worker threads (or inline when 0) and returns their replies in
 * job order, whatever order the workers finish in, calling `onDone` as each finishes (see
 * `streamPool`, which keeps no reply).
 */
export async function runPool(
  jobs: readonly SweepJob[],
  workers: number,
  onDone: (reply: SweepReply, finished: number) => void = () => {},
  spawn: () => Worker = () => spawnWorker(),
): Promise<SweepReply[]> {
  const replies: SweepReply[] = new Array(jobs.length);
  const indexOf = new Map(jobs.map((j, i) => [j.id, i]));
  await streamPool(
    jobs,
    workers,
    (reply, finished) => {
      replies[indexOf.get(reply.id)!] = reply;
      onDone(reply, finished);
    },
    spawn,
  );
  return replies;
}

/**
 * Runs sweep jobs over `workers` worker threads (or inline when 0), handing each reply to
 * `onDone` as it finishes, once per job, and keeping none (a sweep's memory does not grow with
 * its summaries). A thread that dies (out of memory, an exit) fails only the job it was running,
 * as `worker_crashed`; a new thread takes its place and the other jobs run.
 * `spawn` makes the threads (tests pass one whose threads die on purpose).
 * Once `signal` fires (Ctrl-C) no job starts, the threads end with the jobs they were running
 * (an inline job stops early: `RunOptions.signal`), and no further reply reaches `onDone`; it
 * resolves when every thread has ended.
 */
export async function streamPool(
  jobs: readonly SweepJob[],
  workers: number,
  onDone: (reply: SweepReply, finished: number) => void,
  spawn: () => Worker = () => spawnWorker(),
  signal?: AbortSignal,
): Promise<void> {
  const waiting = new Set(jobs.map((j) => j.id));
  let finished = 0;
  const record = (reply: SweepReply) => {
    if (signal?.aborted || !waiting.delete(reply.id)) return;
    onDone(reply, ++finished);
  };
  if (workers <= 0) {
    for (const job of jobs) if (!signal?.aborted) record(await runJob(job, signal));
    return;
  }
  if (signal?.aborted) return;
  const queue = [...jobs].reverse();
  // One lane per thread: it runs jobs until the queue is empty, replacing its thread if it dies.
  const lane = () =>
    new Promise<void>((resolve) => {
      let current: SweepJob | undefined;
      const start = () => {
        const w = spawn();
        let dead = false;
        // No job left, or the signal: the thread ends (with the job it was running), and the lane.
        const end = () => {
          if (dead) return;
          dead = true;
          signal?.removeEventListener('abort', end);
          void w.terminate().then(() => resolve());
        };
        const next = () => {
          current = signal?.aborted ? undefined : queue.pop();
          if (current) return w.postMessage(current);
          end();
        };
        const crashed = (why: string) => {
          if (dead) return;
          dead = true;
          signal?.removeEventListener('abort', end);
          w.off('message', onMessage);
          void w.terminate();
          if (current)
            record({
              id: current.id,
              ok: false,
              code: 'worker_crashed',
              message: `the sweep thread died: ${why}`,
            });
          current = undefined;
          if (queue.length && !signal?.aborted) start();
          else resolve();
        };
        const onMessage = (reply: SweepReply) => {
          record(reply);
          next();
        };
        w.on('message', onMessage);
        w.on('error', (err) => crashed(err.message));
        w.on('exit', (code) => crashed(`it exited with code ${code}`));
        signal?.addEventListener('abort', end, { once: true });
        next();
      };
      start();
    });
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, lane));
}

/** A worker thread running sim/sweep/worker.ts: post it a SweepJob, it answers with a SweepReply. */
export function spawnWorker(): Worker {
  // Runs the TypeScript source through tsx's loader. Node 20 workers ignore `--import` in execArgv,
  // so the worker registers tsx itself before importing its entry.
  const tsx = tsxApiUrl();
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  // A larger young generation (64 MB semi-spaces) shortens GC pauses, a few percent of wall time:
  // agents allocate many short-lived objects.
  return new Worker(boot, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 192 } });
}

// tsx's ESM API (its `register()` installs the loader in this thread). Resolved through the package's
// exports with the `import` condition; vitest lacks import.meta.resolve, so fall back to package.json.
function tsxApiUrl(): string {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve === 'function') return resolve('tsx/esm/api');
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = require(pkgPath) as { exports: Record<string, { import: { default: string } }> };
  return new URL(pkg.exports['./esm/api']!.import.default, pathToFileURL(pkgPath)).href;
}
