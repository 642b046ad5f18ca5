import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Summary } from './summary.js';
import { summarySchema } from './summary-schema.js';
import { LabError } from '../../infra/errors.js';
import { describeIssues, formatPath, plainErrorMap } from '../../infra/zod-wording.js';

/**
 * Reads a finished run's JSON files back (`sim report`, the replay), checking
 * each against its schema: a file that is not what a run writes fails with its
 * path, what is wrong and what to do, never deep inside a chart or a replay.
 */

/** A run file that is not what a run writes. */
export type RunFileErrorCode = 'bad_run_file';

/** Words why a run file is refused as the error to throw. */
export type RunFileFailure = (why: string) => LabError<RunFileErrorCode>;

/** Problems listed before "and N more". */
const SHOWN = 4;

/**
 * Reads a run directory's summary.json back, checked against summary.json's schema; `fix` says
 * what to do about one that is not a run summary (it fits the command reading it).
 */
export function readRunSummary(dir: string, fix: string): Summary {
  const file = join(dir, 'summary.json');
  const fail = runFileFailure(file, 'a run summary', fix);
  return checkedRunJson(readRunJson(file, fail), summarySchema, fail);
}

/** `<file> is not <what> (<why>); <fix>`, as a bad_run_file error. */
export function runFileFailure(file: string, what: string, fix: string): RunFileFailure {
  return (why) => new LabError('bad_run_file', `${file} is not ${what} (${why}); ${fix}`);
}

/** A run file's JSON; text that is not JSON fails through `fail`. */
export function readRunJson(file: string, fail: RunFileFailure): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw fail(`not JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
}

/**
 * The document itself once `schema` takes it (keeping the file's key order, which the report
 * follows); one it refuses fails through `fail`, listing what is missing and what is wrong
 * (a run file's `RunFileFailure`, or another reader's error: a sweep's stored reply).
 */
export function checkedRunJson<T>(doc: unknown, schema: z.ZodType<T>, fail: (why: string) => Error): T {
  const parsed = schema.safeParse(doc, {
    error: (i) => (i.input === undefined ? MISSING : plainErrorMap(i)),
  });
  if (!parsed.success) throw fail(problems(parsed.error.issues));
  return doc as T;
}

const MISSING = 'missing';

/** What is wrong, briefly: `missing scenario, groups; latency.cdf: expected a list, got "x"`. */
function problems(issues: readonly z.core.$ZodIssue[]): string {
  const missing = issues.filter((i) => i.message === MISSING).map((i) => formatPath(i.path));
  const wrong = issues.filter((i) => i.message !== MISSING);
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${capped(missing, ', ')}`);
  if (wrong.length) parts.push(describeIssues(wrong, { whole: 'the whole file', shown: SHOWN }));
  return parts.join('; ');
}

function capped(items: readonly string[], separator: string): string {
  const more = items.length - SHOWN;
  return items.slice(0, SHOWN).join(separator) + (more > 0 ? ` and ${more} more` : '');
}
