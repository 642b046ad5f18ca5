import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, type QueueTarget } from './queue-connection.js';
import { QUEUE_NAME, RESULT_TTL_SEC, queuedJobProblem, resultsKey, type QueuedJob } from './queue-plan.js';
import { SweepThreads } from './queue-threads.js';
import { codeVersion } from './code-version.js';

export interface QueueWorkerOptions {
  /** Jobs run at once, each in its own thread. */
  concurrency: number;
  /**
   * How long a job's lock lasts without renewal. A worker that dies holding a job is noticed
   * within about twice this long, and its job goes back to the queue for another worker.
   */
  lockMs: number;
  /** One line per event (ready, job started, job done, job failed). */
  log: (line: string) => void;
}

/** A running queue worker: `close()` lets running jobs finish, then disconnects. */
export interface QueueWorker {
  close(): Promise<void>;
}

/**
 * Takes sweep jobs from the queue and runs each in a worker thread with the same `runJob` a
 * local sweep uses, then stores the reply in the sweep's result hash under the job's id (so a
 * job that runs twice, after a lost lock, still leaves one reply). A run that fails is a reply
 * too (seeded runs fail the same way every time); only a malformed job, a crashed thread or a
 * Redis error fails the BullMQ job, which BullMQ retries and then keeps as failed with its reason.
 */
export async function startQueueWorker(target: QueueTarget, o: QueueWorkerOptions): Promise<QueueWorker> {
  const redis = await connectRedis(target);
  const threads = new SweepThreads(o.concurrency);
  const worker = new Worker(QUEUE_NAME, (job: Job) => processJob(job, redis, threads, o.log), {
    // BullMQ's blocking connection must retry forever; its blocking reads last at most drainDelay (5 s).
    connection: { ...target.options, maxRetriesPerRequest: null },
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.lockMs,
    // A job whose worker died twice (e.g. a run that exhausts memory) fails for good instead of looping.
    maxStalledCount: 2,
    drainDelay: 5,
  });
  worker.on('failed', (job, err) => o.log(`failed ${job?.id ?? '?'}: ${err.message}`));
  worker.on('error', (err) => o.log(`queue error: ${err.message} (retrying)`));
  await worker.waitUntilReady();
  o.log(
    `worker ready: ${o.concurrency} at a time on ${target.shown}, queue ${QUEUE_NAME}, code ${codeVersion()}`,
  );
  return {
    async close() {
      await worker.close();
      await threads.close();
      redis.disconnect();
    },
  };
}

async function processJob(
  job: Job,
  redis: Redis,
  threads: SweepThreads,
  log: (line: string) => void,
): Promise<string> {
  const problem = queuedJobProblem(job.data, codeVersion());
  if (problem) throw new UnrecoverableError(problem);
  const { sweep, job: run } = job.data as QueuedJob;
  const key = resultsKey(sweep);
  const field = String(run.id);
  // Another worker finished it after this one's lock lapsed, or before a coordinator re-added it.
  if ((await redis.hexists(key, field)) === 1) return 'already done';
  log(`start ${job.id}: seed ${run.seed} ${JSON.stringify(run.overrides)}`);
  const reply = await threads.run(run);
  const stored = await redis
    .multi()
    .hset(key, field, JSON.stringify(reply))
    .expire(key, RESULT_TTL_SEC)
    .exec();
  const failed = stored?.find(([err]) => err)?.[0];
  if (!stored || failed)
    throw new Error(`storing the result of ${job.id} failed: ${failed?.message ?? 'aborted'}`);
  log(`done ${job.id}: ${reply.ok ? 'ok' : `${reply.code}: ${reply.message}`}`);
  return reply.ok ? 'ok' : reply.code;
}
