import { parentPort } from 'node:worker_threads';
import type { SweepJob, SweepReply } from './protocol.js';
import { runJob } from './job.js';

/**
 * Sweep worker: runs one job at a time in this thread and posts the summary
 * back. Started by spawnWorker (pool.ts), which registers tsx's loader in the thread so it runs from source.
 */
if (!parentPort) throw new Error('sim/sweep/worker.ts must run in a worker thread');
const port = parentPort;
port.on('message', (job: SweepJob) => {
  void runJob(job).then((reply: SweepReply) => port.postMessage(reply));
});
