import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SweepJob, SweepReply } from './protocol.js';
import type { SweepTransport } from './runner.js';
import { LabError } from '../../infra/errors.js';
import { codeVersion } from './code-version.js';
import { connectRedis, type QueueErrorCode, type QueueTarget } from './queue-connection.js';
import { QUEUE_NAME, RESULT_TTL_SEC, jobKey, resultsKey, sweepId, type QueuedJob } from './queue-plan.js';

export interface QueueTransportOptions {
  /** The scenario file (as resolved here) and its YAML, which every job carries to its worker. */
  scenario: { file: string; text: string };
  /** How often the coordinator reads new results (default 250 ms). */
  pollMs?: number;
  /** Status lines (the sweep id, how many runs were already done). */
  log?: (line: string) => void;
}

/** BullMQ's retries for a job that failed (a crashed thread, a Redis error), 1 s apart. */
const ATTEMPTS = 3;

/**
 * A sweep transport over a BullMQ queue: enqueues every run under a deterministic job id,
 * then collects the replies that workers (`sim worker`) store in the sweep's result hash, in
 * job order, so `runSweep` merges and writes them exactly as it does a local pool's. Re-running
 * the same sweep after the coordinator stopped finds the results already stored and only waits
 * for the rest; jobs that had failed for good are retried.
 */
export function queueTransport(target: QueueTarget, o: QueueTransportOptions): SweepTransport {
  return async (jobs, onDone) => {
    const queued = jobs.map((j): SweepJob => ({ ...j, scenario: o.scenario.file, text: o.scenario.text }));
    const code = codeVersion();
    const sweep = sweepId(code, queued);
    const redis = await connectRedis(target);
    const queue = new Queue(QUEUE_NAME, { connection: { ...target.options, maxRetriesPerRequest: 2 } });
    queue.on('error', () => {}); // each call below fails on its own
    try {
      const replies = new Map<number, SweepReply>();
      const record = (reply: SweepReply) => {
        if (replies.has(reply.id)) return;
        replies.set(reply.id, reply);
        onDone(reply, replies.size);
      };
      await readResults(redis, sweep, replies, record);
      const missing = queued.filter((j) => !replies.has(j.id));
      o.log?.(
        `sweep ${sweep} on ${target.shown} (code ${code}): ${jobs.length - missing.length} of ${jobs.length} runs already done; ` +
          `runs are done by workers (npm run sim -- worker --queue ${target.shown})`,
      );
      try {
        await enqueue(queue, sweep, code, missing);
        while (replies.size < jobs.length) {
          await sleep(o.pollMs ?? 250);
          await readResults(redis, sweep, replies, record);
          await readFailures(queue, sweep, replies, record);
        }
        await redis.expire(resultsKey(sweep), RESULT_TTL_SEC);
      } catch (cause) {
        throw new LabError<QueueErrorCode>(
          'redis_unreachable',
          `lost Redis at ${target.shown} with ${replies.size} of ${jobs.length} runs stored: ` +
            `${(cause as Error).message}. The stored runs stay there: once it answers again, ` +
            'run the same command to resume.',
          { cause },
        );
      }
      return jobs.map((j) => replies.get(j.id)!);
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
  await queue.addBulk(
    missing.map((job) => ({
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

async function readResults(
  redis: Redis,
  sweep: string,
  replies: ReadonlyMap<number, SweepReply>,
  record: (r: SweepReply) => void,
): Promise<void> {
  const key = resultsKey(sweep);
  const fresh = (await redis.hkeys(key)).filter((f) => !replies.has(Number(f)));
  if (fresh.length === 0) return;
  const values = await redis.hmget(key, ...fresh);
  for (const v of values) if (v !== null) record(JSON.parse(v) as SweepReply);
}

/** Jobs of this sweep that BullMQ failed for good (retries exhausted, or a worker died on them twice). */
async function readFailures(
  queue: Queue,
  sweep: string,
  replies: ReadonlyMap<number, SweepReply>,
  record: (r: SweepReply) => void,
): Promise<void> {
  if ((await queue.getFailedCount()) === 0) return;
  for (const job of await queue.getFailed(0, -1)) {
    if (!job?.id?.startsWith(`${sweep}-`)) continue;
    const id = Number(job.id.slice(sweep.length + 1));
    if (replies.has(id)) continue;
    record({ id, ok: false, code: 'job_failed', message: job.failedReason || 'failed without a reason' });
  }
}
