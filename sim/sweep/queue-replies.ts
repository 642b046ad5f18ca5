import { gunzipSync, gzipSync } from 'node:zlib';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { LabError } from '../../infra/errors.js';
import type { QueueErrorCode } from './queue-connection.js';
import type { SweepJob, SweepReply } from './protocol.js';
import { failuresKey, jobKey, logKey, resultsKey } from './queue-plan.js';
import { checkedReply } from './reply-schema.js';

/** The largest reply a coordinator unpacks (a summary is 25–90 kB before packing). */
export const REPLY_MAX_BYTES = 64 * 1024 * 1024;

/** A reply as stored in Redis: its JSON, gzipped (a summary packs to about a fifteenth). */
export function encodeReply(reply: SweepReply): Buffer {
  return gzipSync(JSON.stringify(reply));
}

/**
 * A stored reply read back: the reply of run `field`, as a worker of this version stores it,
 * with `seed` (when given) the seed its summary ran, checked field by field (reply-schema.ts).
 * Anything else, e.g. written by hand into Redis, is `bad_reply` naming where it is and what is
 * wrong, before any of it is merged.
 */
export function decodeReply(stored: Buffer, key: string, field: string, seed?: SweepJob['seed']): SweepReply {
  let reply: unknown;
  try {
    reply = JSON.parse(gunzipSync(stored, { maxOutputLength: REPLY_MAX_BYTES }).toString('utf8'));
  } catch (e) {
    throw badReply(key, field, (e as Error).message, e);
  }
  return checkedReply(reply, { id: Number(field), seed }, (why) => badReply(key, field, why));
}

function badReply(key: string, field: string, why: string, cause?: unknown): LabError<QueueErrorCode> {
  return new LabError<QueueErrorCode>(
    'bad_reply',
    `the reply stored in ${key} field ${field} is not one this version wrote (${why}): ` +
      `delete it (redis-cli HDEL ${key} ${field}) and run the sweep again, which runs that job again`,
    cause === undefined ? {} : { cause },
  );
}

/** Replies read from Redis at once: what the coordinator holds of them is this many summaries at most. */
export const READ_BATCH = 16;

/** Log entries read at once. */
export const LOG_BATCH = 1000;

/** A reply's entry in its sweep's log (`logKey`): which hash holds it, and its job index. */
export function logEntry(reply: SweepReply): string {
  return `${reply.ok ? 'r' : 'f'}:${reply.id}`;
}

/** A log entry as workers write it: `r:` (results) or `f:` (failures), then the job's index. */
const LOG_ENTRY = /^([rf]):(\d{1,15})$/;

/**
 * A sweep's jobs as its log reader knows them: how many (ids 0 to n − 1), or each job's seed by
 * its id, and then a finished run's reply whose summary ran another seed is refused.
 */
export type LoggedJobs = number | readonly SweepJob['seed'][];

/**
 * A coordinator's reader of its sweep's log, where a worker lists each reply as it stores it:
 * each read goes on from where the last one stopped, so following a sweep costs what is new,
 * not a look at every stored run. An entry of another form, or naming no job of the sweep's
 * `jobs`, is passed over.
 */
export class ReplyLog {
  #next = 0;
  readonly #count: number;
  readonly #seedOf: (id: number) => SweepJob['seed'] | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly sweep: string,
    jobs: LoggedJobs,
  ) {
    this.#count = typeof jobs === 'number' ? jobs : jobs.length;
    this.#seedOf = (id) => (typeof jobs === 'number' ? undefined : jobs[id]);
  }

  /**
   * Hands `record` each reply logged since the last read and not done yet, one at a time,
   * reading them READ_BATCH at once: a sweep resumed with thousands of stored runs never holds
   * more than a batch of their summaries. With `failures: false`, logged failures are passed over
   * (a resumed sweep runs them again).
   */
  async read(done: ReadonlySet<number>, record: (r: SweepReply) => void, failures = true): Promise<void> {
    for (;;) {
      const entries = await this.redis.lrange(logKey(this.sweep), this.#next, this.#next + LOG_BATCH - 1);
      this.#next += entries.length;
      const results: string[] = [];
      const failed: string[] = [];
      for (const e of entries) {
        const [, kind, id] = LOG_ENTRY.exec(e) ?? [];
        if (id === undefined || Number(id) >= this.#count || done.has(Number(id))) continue;
        if (kind === 'r') results.push(id);
        else if (failures) failed.push(id);
      }
      await readStored(this.redis, resultsKey(this.sweep), results, record, this.#seedOf);
      await readStored(this.redis, failuresKey(this.sweep), failed, record, this.#seedOf);
      if (entries.length < LOG_BATCH) return;
    }
  }
}

async function readStored(
  redis: Redis,
  key: string,
  fields: readonly string[],
  record: (r: SweepReply) => void,
  seedOf: (id: number) => SweepJob['seed'] | undefined,
): Promise<void> {
  for (let i = 0; i < fields.length; i += READ_BATCH) {
    const batch = fields.slice(i, i + READ_BATCH);
    const values = await redis.hmgetBuffer(key, ...batch);
    for (const [j, v] of values.entries())
      if (v !== null) record(decodeReply(v, key, batch[j]!, seedOf(Number(batch[j]))));
  }
}

/**
 * The ids among `ids` whose job BullMQ failed for good (retries exhausted, or a worker died on
 * it twice): one pipelined lookup of them all in the failed set, never reading the failed jobs
 * of other sweeps (kept 7 days, each with its overrides).
 */
export async function failedJobIds(
  queue: Queue,
  redis: Redis,
  sweep: string,
  ids: readonly number[],
): Promise<number[]> {
  if (ids.length === 0 || (await queue.getFailedCount()) === 0) return [];
  const failedSet = queue.toKey('failed');
  const lookup = redis.pipeline();
  for (const id of ids) lookup.zscore(failedSet, jobKey(sweep, id));
  const scores = (await lookup.exec()) ?? [];
  const failed: number[] = [];
  for (const [i, [err, score]] of scores.entries()) {
    if (err) throw err;
    if (score !== null) failed.push(ids[i]!);
  }
  return failed;
}

/** Records each pending job of this sweep that BullMQ failed for good, with its reason. */
export async function readFailedJobs(
  queue: Queue,
  redis: Redis,
  sweep: string,
  pending: readonly number[],
  record: (r: SweepReply) => void,
): Promise<void> {
  for (const id of await failedJobIds(queue, redis, sweep, pending)) {
    const job = await queue.getJob(jobKey(sweep, id));
    record({ id, ok: false, code: 'job_failed', message: job?.failedReason || 'failed without a reason' });
  }
}
