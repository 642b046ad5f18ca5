import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SweepReply } from './protocol.js';
import { jobKey } from './queue-plan.js';

/** Replies read from Redis at once: what the coordinator holds of them is this many summaries at most. */
export const READ_BATCH = 16;

/**
 * Hands `record` the replies stored in `key` (a sweep's result or failure hash) not done yet, one
 * at a time, reading them READ_BATCH at once: a sweep resumed with thousands of stored runs
 * never holds more than a batch of their summaries.
 */
export async function readReplies(
  redis: Redis,
  key: string,
  done: ReadonlySet<number>,
  record: (r: SweepReply) => void,
): Promise<void> {
  const fresh = (await redis.hkeys(key)).filter((f) => !done.has(Number(f)));
  for (let i = 0; i < fresh.length; i += READ_BATCH) {
    const values = await redis.hmget(key, ...fresh.slice(i, i + READ_BATCH));
    for (const v of values) if (v !== null) record(JSON.parse(v) as SweepReply);
  }
}

/**
 * Pending jobs of this sweep that BullMQ failed for good (retries exhausted, or a worker died on
 * them twice): each pending job id is looked up in the failed set, and only those found are read,
 * never the failed jobs of other sweeps (kept 7 days, each with its scenario's YAML).
 */
export async function readFailedJobs(
  queue: Queue,
  redis: Redis,
  sweep: string,
  pending: readonly number[],
  record: (r: SweepReply) => void,
): Promise<void> {
  if (pending.length === 0 || (await queue.getFailedCount()) === 0) return;
  const failedSet = queue.toKey('failed');
  const lookup = redis.pipeline();
  for (const id of pending) lookup.zscore(failedSet, jobKey(sweep, id));
  const scores = (await lookup.exec()) ?? [];
  for (const [i, [err, score]] of scores.entries()) {
    if (err) throw err;
    if (score === null) continue;
    const id = pending[i]!;
    const job = await queue.getJob(jobKey(sweep, id));
    record({ id, ok: false, code: 'job_failed', message: job?.failedReason || 'failed without a reason' });
  }
}
