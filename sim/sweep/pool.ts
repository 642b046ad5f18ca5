import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { SweepJob, SweepReply } from './protocol.js';
import { runJob } from './job.js';

/**
 * Runs sweep jobs over `workers` worker threads (or inline when 0), calling
 * `onDone` as each finishes. Results come back in job order whatever order
 * the workers finish in, so a sweep's output does not depend on scheduling.
 */
export async function runPool(
  jobs: readonly SweepJob[],
  workers: number,
  onDone: (reply: SweepReply, finished: number) => void = () => {},
): Promise<SweepReply[]> {
  const replies: SweepReply[] = new Array(jobs.length);
  let finished = 0;
  const record = (reply: SweepReply) => {
    const i = jobs.findIndex((j) => j.id === reply.id);
    replies[i] = reply;
    onDone(reply, ++finished);
  };
  if (workers <= 0) {
    for (const job of jobs) record(await runJob(job));
    return replies;
  }
  const queue = [...jobs];
  const threads = Array.from({ length: Math.min(workers, jobs.length) }, () => spawnWorker());
  await Promise.all(
    threads.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          let current: SweepJob | undefined;
          const next = () => {
            current = queue.shift();
            if (current) w.postMessage(current);
            else void w.terminate().then(() => resolve());
          };
          w.on('message', (reply: SweepReply) => {
            record(reply);
            next();
          });
          w.on('error', (err) => {
            if (current) record({ id: current.id, ok: false, code: 'worker_crashed', message: String(err) });
            reject(err);
          });
          next();
        }),
    ),
  );
  return replies;
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
