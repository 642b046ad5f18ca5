import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SweepJob } from './protocol.js';
import { parsePath } from '../scenario/overrides.js';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';

/** The BullMQ queue every sweep's jobs go through; a job's id names its sweep, so sweeps share it. */
export const QUEUE_NAME = 'sim-sweep';

/** Finished runs stay this long in Redis, so a coordinator can resume (or re-merge) a sweep. */
export const RESULT_TTL_SEC = 7 * 24 * 3600;

/**
 * What a queued job carries: the sweep it belongs to, the version of the code that queued it
 * (`codeVersion()`), and the job a local worker thread runs, its texts named by their hash
 * (queue-files.ts).
 */
export interface QueuedJob {
  v: 3;
  sweep: string;
  code: string;
  job: QueuedRun;
}

/** A `SweepJob` as queued: the scenario's YAML and its network file's text are named by ref. */
export interface QueuedRun extends Omit<SweepJob, 'text' | 'networkFile'> {
  textRef: string;
  networkFile?: { path: string; ref: string };
}

/** The job as queued: what `SweepJob` holds of texts, named by ref. */
export function queuedRun(job: SweepJob, ref: (text: string) => string): QueuedRun {
  const { text, networkFile, ...rest } = job;
  if (text === undefined) throw new Error(`queued job ${job.id} lacks its scenario text`);
  const run: QueuedRun = { ...rest, textRef: ref(text) };
  if (networkFile) run.networkFile = { path: networkFile.path, ref: ref(networkFile.text) };
  return run;
}

/**
 * The sweep's id: a hash of what determines its results (the code's version, the scenario's
 * YAML, each run's overrides and seed and the network file it names, in job order), so re-running
 * the same sweep finds its jobs and results, and the same sweep after a change to the code or to
 * the network file starts afresh.
 */
export function sweepId(code: string, jobs: readonly SweepJob[]): string {
  const h = createHash('sha256');
  h.update(code);
  const digests = new Map<string, string>(); // jobs share one file's text: hash it once
  const digest = (text: string) => {
    let d = digests.get(text);
    if (d === undefined) digests.set(text, (d = createHash('sha256').update(text).digest('hex')));
    return d;
  };
  const network = (j: SweepJob) => j.networkFile && [j.networkFile.path, digest(j.networkFile.text)];
  // One line per job, texts by their digest: a sweep of 100,000 jobs never builds one huge string.
  for (const j of jobs)
    h.update(
      JSON.stringify([
        j.id,
        j.text === undefined ? j.scenario : digest(j.text),
        j.overrides,
        j.seed,
        network(j),
      ]) + '\n',
    );
  return h.digest('hex').slice(0, 20);
}

/** A run's BullMQ job id (deterministic: adding it again while it exists is a no-op). */
export function jobKey(sweep: string, id: number): string {
  return `${sweep}-${id}`;
}

/** The Redis hash of a sweep's finished runs, one field per job id: writing a reply twice keeps one. */
export function resultsKey(sweep: string): string {
  return `${QUEUE_NAME}:results:${sweep}`;
}

/**
 * The Redis list where workers log each reply they store (`logEntry`), in the order they stored
 * them: a coordinator reads what is new since its last read.
 */
export function logKey(sweep: string): string {
  return `${QUEUE_NAME}:log:${sweep}`;
}

/**
 * The Redis hash of a sweep's failed runs, one field per job id: what the waiting coordinator
 * reports. A run listed here is not done: the same command again clears it and runs it again.
 */
export function failuresKey(sweep: string): string {
  return `${QUEUE_NAME}:failures:${sweep}`;
}

/**
 * Checks a job's payload against this worker (a coordinator of another version may have
 * written it); returns why this worker must not run it.
 */
export function queuedJobProblem(data: unknown, code: string): string | undefined {
  const d = data as Partial<QueuedJob> | null;
  if (d?.v !== 3)
    return `unknown job format (v=${String(d?.v)}): run workers from the coordinator's checkout`;
  if (d.code !== code)
    return (
      `the sweep was queued from code ${String(d.code)} and this worker runs ${code}: ` +
      "run workers from the coordinator's checkout (same source and package-lock.json), then run the sweep again"
    );
  const r = queuedJobSchema.safeParse(d, { error: plainErrorMap });
  if (!r.success) return `malformed job: ${describeIssues(r.error.issues)}`;
  // The payload's own overrides: zod's parsed copy leaves out a `__proto__` key, which must be refused.
  return overridesProblem(d.job!.overrides);
}

/** The fields of a queued job's payload a worker reads, once its version and code match. */
const ref = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a SHA-256 in hex' });
const queuedJobSchema = z.object({
  sweep: z.string(),
  job: z.object({
    id: z.number(),
    scenario: z.string(),
    textRef: ref,
    overrides: z.looseObject({}),
    seed: z.union([z.string(), z.number()]),
    networkFile: z.object({ path: z.string(), ref }).optional(),
  }),
});

// Override paths a coordinator would refuse (e.g. `__proto__.x`, which would change every object of the thread).
function overridesProblem(overrides: object): string | undefined {
  for (const path of Object.keys(overrides)) {
    try {
      parsePath(path);
    } catch (e) {
      const why = (e as { issues?: { message: string }[] }).issues?.[0]?.message ?? String(e);
      return `malformed job: override ${JSON.stringify(path)}: ${why}`;
    }
  }
  return undefined;
}
