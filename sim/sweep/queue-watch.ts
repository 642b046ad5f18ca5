import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SweepReply } from './protocol.js';
import { RESULT_TTL_SEC, failuresKey, jobKey, resultsKey } from './queue-plan.js';
import { textKey } from './queue-files.js';
import { readFailedJobs } from './queue-replies.js';

/** How long a coordinator goes between looks at its pending jobs (sooner for failed jobs when the failed count changes). */
export const LOOK_MS = 10_000;

/** What a coordinator's watch needs: its queue, Redis, sweep, the refs of its texts, and how to add jobs again. */
export interface QueueWatchOptions {
  queue: Queue;
  redis: Redis;
  sweep: string;
  /** The refs of the texts its jobs name (queue-files.ts). */
  texts: readonly string[];
  /** Adds the jobs of these ids to the queue again. */
  add: (ids: number[]) => Promise<void>;
}

/**
 * What a following coordinator looks at besides its log, each look costing a lookup per pending
 * job, so made every LOOK_MS (and for failed jobs also when the queue's count of failed jobs
 * changed: a failure that came as another left the set leaves the count as it was):
 * - pending jobs BullMQ failed for good, recorded with their reason;
 * - pending jobs that are gone (no job in the queue, no stored reply: e.g. a worker stored a failure
 *   a resuming coordinator then cleared, and its job completed), added again;
 * - the sweep's texts, kept another RESULT_TTL_SEC, so a sweep running longer than that still
 *   finds them.
 */
export class QueueWatch {
  #failedSeen = -1;
  #lookedAt = -Infinity;

  constructor(private readonly o: QueueWatchOptions) {}

  async look(pending: () => number[], record: (r: SweepReply) => void): Promise<void> {
    const { queue, redis, sweep } = this.o;
    const failed = await queue.getFailedCount();
    const due = performance.now() - this.#lookedAt >= LOOK_MS;
    if (failed === this.#failedSeen && !due) return;
    this.#failedSeen = failed;
    const ids = pending();
    await readFailedJobs(queue, redis, sweep, ids, record);
    if (!due) return;
    this.#lookedAt = performance.now();
    const lost = await this.#lost(ids);
    if (lost.length) await this.o.add(lost);
    if (this.o.texts.length) {
      const renew = redis.multi();
      for (const ref of this.o.texts) renew.expire(textKey(ref), RESULT_TTL_SEC);
      await renew.exec();
    }
  }

  /** The ids whose job is not in the queue and whose reply is stored nowhere. */
  async #lost(ids: readonly number[]): Promise<number[]> {
    const { queue, redis, sweep } = this.o;
    const jobs = redis.pipeline();
    for (const id of ids) jobs.exists(queue.toKey(jobKey(sweep, id)));
    const answers = (await jobs.exec()) ?? [];
    const missing = ids.filter((_, i) => answersOf(answers, i) === 0);
    if (missing.length === 0) return [];
    const stored = redis.pipeline();
    for (const id of missing)
      stored.hexists(resultsKey(sweep), String(id)).hexists(failuresKey(sweep), String(id));
    const found = (await stored.exec()) ?? [];
    return missing.filter((_, i) => answersOf(found, 2 * i) === 0 && answersOf(found, 2 * i + 1) === 0);
  }
}

/** The number a pipelined command answered (throws its error). */
function answersOf(answers: [Error | null, unknown][], i: number): number {
  const [err, value] = answers[i] ?? [new Error('no answer'), undefined];
  if (err) throw err;
  return Number(value);
}
