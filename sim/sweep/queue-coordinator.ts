import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SweepJob, SweepReply } from './protocol.js';
import type { SweepTransport } from './runner.js';
import { LabError, isLabError } from '../../infra/errors.js';
import { codeVersion } from './code-version.js';
import { connectRedis, type QueueErrorCode, type QueueTarget } from './queue-connection.js';
import {
  QUEUE_NAME,
  RESULT_TTL_SEC,
  failuresKey,
  jobKey,
  logKey,
  queuedRun,
  resultsKey,
  sweepId,
  type QueuedJob,
} from './queue-plan.js';
import { storeTexts, textRef } from './queue-files.js';
import { withNetworkFiles } from './network-file.js';
import { ReplyLog, failedJobIds } from './queue-replies.js';
import { QueueWatch } from './queue-watch.js';

export interface QueueTransportOptions {
  /** The scenario file (as resolved here) and its YAML, which every job names (stored once in Redis). */
  scenario: { file: string; text: string };
  /** How often the coordinator reads new results (default 250 ms). */
  pollMs?: number;
  /** Status lines (the sweep id, how many runs were already done). */
  log?: (line: string) => void;
}

/** Jobs added at once. */
const ENQUEUE_BATCH = 100;

/** BullMQ's retries for a job that failed (a crashed thread, a Redis error), 1 s apart. */
const ATTEMPTS = 3;

/**
 * A sweep transport over a BullMQ queue: enqueues every run under a deterministic job id,
 * then hands `runSweep` each reply that workers (`sim worker`) store in the sweep's result and
 * failure hashes and list in its log, one at a time as it reads the log on (keeping only which
 * jobs are done), so
 * `runSweep` merges and writes them exactly as it does a local pool's.
 * Each job names the scenario's YAML and the network file it names by their hash, stored once in
 * Redis beside the queue (queue-files.ts). Re-running the same sweep
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
    // Each job's seed by its id (ids are the jobs' indices): a reply of another seed is refused.
    const seeds = jobs.map((j) => j.seed);
    const log = new ReplyLog(redis, sweep, seeds);
    try {
      await log.read(done, record, false);
      const missing = queued.filter((j) => !done.has(j.id));
      o.log?.(
        `sweep ${sweep} on ${target.shown} (code ${code}): ${jobs.length - missing.length} of ${jobs.length} runs already done; ` +
          `runs are done by workers (npm run sim -- worker --queue ${target.shown})`,
      );
      try {
        // A run that failed last time is not done: forget that failure and run it again.
        if (missing.length) await redis.hdel(failuresKey(sweep), ...missing.map((j) => String(j.id)));
        const texts = [...new Set(sharedTexts(queued))];
        await storeTexts(redis, texts);
        const ref = refsOf(texts);
        const byId = new Map(queued.map((j) => [j.id, j]));
        const add = (ids: number[]) =>
          enqueue(
            queue,
            redis,
            sweep,
            code,
            ids.map((id) => byId.get(id)!),
            ref,
          );
        await add(missing.map((j) => j.id));
        const watch = new QueueWatch({ queue, redis, sweep, texts: texts.map(ref), add });
        while (done.size < jobs.length) {
          await sleep(o.pollMs ?? 250);
          await log.read(done, record);
          await watch.look(() => queued.filter((j) => !done.has(j.id)).map((j) => j.id), record);
        }
        await redis
          .multi()
          .expire(resultsKey(sweep), RESULT_TTL_SEC)
          .expire(logKey(sweep), RESULT_TTL_SEC)
          .exec();
      } catch (cause) {
        // A refusal of ours, or a fault in this code rather than in reaching Redis, as it is.
        if (isLabError(cause) || cause instanceof TypeError || cause instanceof RangeError) throw cause;
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

/** Each text's ref, worked out once (jobs share a few texts, each up to NETWORK_FILE_MAX_BYTES, sim/scenario/network-file.ts). */
function refsOf(texts: readonly string[]): (text: string) => string {
  const refs = new Map(texts.map((t) => [t, textRef(t)]));
  return (text) => refs.get(text) ?? textRef(text);
}

/** The texts the jobs name: each job's scenario YAML and network file. */
function* sharedTexts(jobs: readonly SweepJob[]): Iterable<string> {
  for (const j of jobs) {
    if (j.text !== undefined) yield j.text;
    if (j.networkFile) yield j.networkFile.text;
  }
}

/**
 * Adds the jobs not done yet; a job id already in the queue is left as it is, except a failed one
 * is retried (the failed ones are found with one pipelined lookup, not a request per job).
 */
async function enqueue(
  queue: Queue,
  redis: Redis,
  sweep: string,
  code: string,
  missing: readonly SweepJob[],
  ref: (text: string) => string,
): Promise<void> {
  const ids = missing.map((j) => j.id);
  for (const id of await failedJobIds(queue, redis, sweep, ids)) {
    const existing = await queue.getJob(jobKey(sweep, id));
    if (existing && (await existing.isFailed())) await existing.retry('failed', { resetAttemptsMade: true });
  }
  for (let i = 0; i < missing.length; i += ENQUEUE_BATCH)
    await queue.addBulk(
      missing.slice(i, i + ENQUEUE_BATCH).map((job) => ({
        name: 'run',
        data: { v: 3, sweep, code, job: queuedRun(job, ref) } satisfies QueuedJob,
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
