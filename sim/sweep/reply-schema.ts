import { summarySchema } from '../metrics/summary-schema.js';
import { checkedRunJson } from '../metrics/run-file.js';
import type { SweepJob, SweepReply } from './protocol.js';

/**
 * A worker's reply as a sweep takes it from Redis: the envelope of the reply of this version
 * (protocol.ts), the reply of the job it is read for, and, for a finished run, its summary
 * checked against summary.json's schema with the values each field can take (summary-schema.ts,
 * the schema `sim report` reads run files with) and run with that job's seed. A reply written
 * by something else, or garbled, or forged, is refused before any of it reaches a mean.
 */

/** The job a stored reply is read for: its index and, where the reader knows it, its seed. */
export interface ReplyFor {
  id: number;
  seed?: SweepJob['seed'];
}

/** A scenario hash as `scenarioHashWithoutSeed` gives it: sha256 in hex. */
const POINT_HASH = /^[0-9a-f]{64}$/;

/**
 * `doc` as the reply of `job`, or thrown through `fail` with what is wrong: `not the shape of a
 * reply`, `it is the reply of run 3`, `its summary: purchases.paymentSuccessRate: expected at
 * most 1`, or a summary of another seed than the job's, naming both.
 */
export function checkedReply(doc: unknown, job: ReplyFor, fail: (why: string) => Error): SweepReply {
  if (!isReply(doc)) throw fail('not the shape of a reply');
  if (doc.id !== job.id) throw fail(`it is the reply of run ${doc.id}`);
  if (!doc.ok) return doc;
  const summary = checkedRunJson(doc.summary, summarySchema, (why) => fail(`its summary: ${why}`));
  if (job.seed !== undefined && summary.seed !== job.seed)
    throw fail(
      `its summary is of seed ${JSON.stringify(summary.seed)}, but run ${job.id} runs seed ${JSON.stringify(job.seed)}`,
    );
  return doc;
}

function isReply(r: unknown): r is SweepReply {
  const o = r as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || !Number.isSafeInteger(o.id)) return false;
  if (o.ok === true)
    return (
      typeof o.summary === 'object' &&
      o.summary !== null &&
      typeof o.pointHash === 'string' &&
      POINT_HASH.test(o.pointHash)
    );
  return o.ok === false && typeof o.code === 'string' && typeof o.message === 'string';
}
