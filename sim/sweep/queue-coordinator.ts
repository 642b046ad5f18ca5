import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { SweepJob, SweepReply } from './protocol.js';
import type { SweepTransport } from './runner.js';
import { LabError } from '../../infra/errors.js';
import { codeVersion } from './code-version.js';
import { connectRedis, type QueueErrorCode, type QueueTarget } from './queue-connection.js';
import {
  QUEUE_NAME,
  RESULT_TTL_SEC,
  failuresKey,
  jobKey,
  resultsKey,
  sweepId,
  type QueuedJob,
} from './queue-plan.js';
import { withNetworkFiles } from './network-file.js';
import { readFailedJobs, readReplies } from './queue-replies.js';

export interface QueueTransportOptions {
  /** The scenario file (as resolved here) and its YAML, which every job carries to its worker. */
  scenario: { file: string; text: string };
  /** How often the coordinator reads new results (default 250 ms). */
  pollMs?: number;
  /** Status lines (the sweep id, how many runs were already done). */
  log?: (line: string) => void;
}

/** Jobs added at once: each carries the scenario's YAML and network file, serialized as it is added. */
const ENQUEUE_BATCH = 100;

/** BullMQ's retries for a job that failed (a crashed thread, a Redis error), 1 s apart. */
const ATTEMPTS = 3;

/**
 * A sweep transport over a BullMQ queue: enqueues every run under a deterministic job id,
 * then hands `runSweep` each reply that workers (`sim worker`) store in the sweep's result and
 * failure hashes, one at a time as it reads them (keeping only which jobs are done), so
 * `runSweep` merges and writes them exactly as it does a local pool's.
 * Each job carries the scenario's YAML and the network file it names. Re-running the same sweep
 * after the coordinator stopped finds the finished runs already stored and waits for the rest:
 * runs that had failed, and jobs that had failed for good, run again.
 */
export function queueTransport(target: QueueTarget, o: QueueTransportOptions): SweepTransport {
  return async (jobs, onDone) => {
    const queued = withNetworkFiles(
      jobs.map((j): SweepJob => ({ ...j, scenario: o.scenario.file, text: o.scenario.text })),
      o.scenario.text,
      o.scenario.file,
    );
    const code = codeVersion();
    const sweep = sweepId(code, queued);
    const redis = await connectRedis(target);
    const queue = new Queue(QUEUE_NAME, { connection: { ...target.options, maxRetriesPerRequest: 2 } });
    queue.on('error', () => {}); // each call below fails on its own
    const done = new Set<number>();
    const record = (reply: SweepReply) => {
      if (done.has(reply.id)) return;
      done.add(reply.id);
      onDone(reply, done.size);
    };
    try {
      await readReplies(redis, resultsKey(sweep), done, record);
      const missing = queued.filter((j) => !done.has(j.id));
      o.log?.(
        `sweep ${sweep} on ${target.shown} (code ${code}): ${jobs.length - missing.length} of ${jobs.length} runs already done; ` +
          `runs are done by workers (npm run sim -- worker --queue ${target.shown})`,
      );
      try {
        // A run that failed last time is not done: forget that failure and run it again.
        if (missing.length) await redis.hdel(failuresKey(sweep), ...missing.map((j) => String(j.id)));
        await enqueue(queue, sweep, code, missing);
        while (done.size < jobs.length) {
          await sleep(o.pollMs ?? 250);
          await readReplies(redis, resultsKey(sweep), done, record);
          await readReplies(redis, failuresKey(sweep), done, record);
          const pending = queued.filter((j) => !done.has(j.id)).map((j) => j.id);
          await readFailedJobs(queue, redis, sweep, pending, record);
        }
        await redis.expire(resultsKey(sweep), RESULT_TTL_SEC);
      } catch (cause) {
        throw new LabError<QueueErrorCode>(
          'redis_unreachable',
          `lost Redis at ${target.shown} with ${done.size} of ${jobs.length} runs stored: ` +
            `${(cause as Error).message}. The stored runs stay there: once it answers again, ` +
            'run the same command to resume.',
          { cause },
        );
      }
    } finally {
      await queue.close();
      redis.disconnect();
    }
  };
}

/** Adds the jobs not done yet; a job id already in the queue is left as it is, except a failed one is retried. */
async function enqueue(
  queue: Queue,
  sweep: string,
  code: string,
  missing: readonly SweepJob[],
): Promise<void> {
  for (const j of missing) {
    const existing = await queue.getJob(jobKey(sweep, j.id));
    if (existing && (await existing.isFailed())) await existing.retry('failed', { resetAttemptsMade: true });
  }
  for (let i = 0; i < missing.length; i += ENQUEUE_BATCH)
    await queue.addBulk(
      missing.slice(i, i + ENQUEUE_BATCH).map((job) => ({
        name: 'run',
        data: { v: 2, sweep, code, job } satisfies QueuedJob,
        opts: {
          jobId: jobKey(sweep, job.id),
          attempts: ATTEMPTS,
          backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: true,
          removeOnFail: { age: RESULT_TTL_SEC },
        },
      })),
    );
}
