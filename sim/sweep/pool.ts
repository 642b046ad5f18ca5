import { Worker } from 'node:worker_threads';
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

function spawnWorker(): Worker {
  // tsx-compatible loading: the worker runs the TypeScript source through tsx's loader.
  return new Worker(new URL('./worker.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
}
