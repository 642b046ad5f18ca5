import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, type QueueTarget } from './queue-connection.js';
import {
  QUEUE_NAME,
  RESULT_TTL_SEC,
  failuresKey,
  jobKey,
  logKey,
  queuedJobProblem,
  resultsKey,
  type QueuedJob,
} from './queue-plan.js';
import { SweepThreads } from './queue-threads.js';
import type { SweepReply } from './protocol.js';
import { MissingText, TextCache, fetchedRun } from './queue-files.js';
import { encodeReply, logEntry } from './queue-replies.js';

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
 * Takes sweep jobs from the queue, fetches the texts they name (queue-files.ts) and runs each
 * in a worker thread with the same `runJob` a local sweep uses, then stores the reply (gzipped)
 * under the job's id (so a job that runs twice, after a lost lock, still leaves one reply) and
 * lists it in the sweep's log: a finished run in the sweep's result hash, a run that failed
 * in its failure hash, which the coordinator reports without counting the run as done (the same
 * command runs it again). Only a malformed job, a crashed thread or a Redis error fails the BullMQ
 * job, which BullMQ retries and then keeps as failed with its reason. The threads start (and load
 * the code) before the worker takes any job, and the version it advertises and checks jobs
 * against is the one they loaded.
 */
export async function startQueueWorker(target: QueueTarget, o: QueueWorkerOptions): Promise<QueueWorker> {
  const redis = await connectRedis(target);
  let threads: SweepThreads;
  try {
    threads = await SweepThreads.start(o.concurrency);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const texts = new TextCache(redis);
  const worker = new Worker(QUEUE_NAME, (job: Job) => processJob(job, redis, texts, threads, o.log), {
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
    `worker ready: ${o.concurrency} at a time on ${target.shown}, queue ${QUEUE_NAME}, code ${threads.code}`,
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
  texts: TextCache,
  threads: SweepThreads,
  log: (line: string) => void,
): Promise<string> {
  const problem = queuedJobProblem(job.data, threads.code);
  if (problem) throw new UnrecoverableError(problem);
  const { sweep, job: queued } = job.data as QueuedJob;
  // Its reply is stored under its index: a payload naming another job's index must not overwrite it.
  if (job.id !== jobKey(sweep, queued.id))
    throw new UnrecoverableError(`malformed job: job ${job.id} carries job ${jobKey(sweep, queued.id)}`);
  const field = String(queued.id);
  // Another worker finished it after this one's lock lapsed, or before a coordinator re-added it.
  if ((await redis.hexists(resultsKey(sweep), field)) === 1) return 'already done';
  const run = await fetchedRun(queued, texts).catch((e: unknown) => {
    throw e instanceof MissingText ? new UnrecoverableError(e.message) : e;
  });
  log(`start ${job.id}: seed ${run.seed} ${JSON.stringify(run.overrides)}`);
  const reply: SweepReply = await threads.run(run);
  const key = reply.ok ? resultsKey(sweep) : failuresKey(sweep);
  // The reply and its log entry together: a coordinator reads the log to find what is new.
  const stored = await redis
    .multi()
    .hset(key, field, encodeReply(reply))
    .expire(key, RESULT_TTL_SEC)
    .rpush(logKey(sweep), logEntry(reply))
    .expire(logKey(sweep), RESULT_TTL_SEC)
    .exec();
  const failed = stored?.find(([err]) => err)?.[0];
  if (!stored || failed)
    throw new Error(`storing the result of ${job.id} failed: ${failed?.message ?? 'aborted'}`);
  log(`done ${job.id}: ${reply.ok ? 'ok' : `${reply.code}: ${reply.message}`}`);
  return reply.ok ? 'ok' : reply.code;
}
