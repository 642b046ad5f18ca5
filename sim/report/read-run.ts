import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Summary } from '../metrics/summary.js';
import { summarySchema } from '../metrics/summary-schema.js';
import type { Provenance } from './provenance.js';
import { LabError } from '../../infra/errors.js';
import { describeIssues, formatPath, plainErrorMap } from '../../infra/zod-wording.js';

/**
 * Reads a finished run's files back for `sim report`, checking each against
 * its schema: a file that is not what a run writes fails with its path, what
 * is wrong and what to do, never deep inside a chart.
 */

/** A run file that is not what a run writes. */
export type RunFileErrorCode = 'bad_run_file';

/** The fields of meta.json the report shows (its provenance table). */
const provenanceSchema: z.ZodType<Provenance> = z.object({
  code: z.object({ commit: z.string(), dirty: z.boolean().nullable() }),
  node: z.string(),
  versions: z.record(z.string(), z.string()),
});

/** Problems listed before "and N more". */
const SHOWN = 4;

type Failure = (why: string) => LabError<RunFileErrorCode>;

/** Reads a run directory's summary.json back. */
export function readSummary(dir: string): Summary {
  const file = join(dir, 'summary.json');
  const fail = failure(file, 'a run summary', 're-run the scenario to write it again');
  return checked(readJson(file, fail), summarySchema, fail);
}

/** The provenance in a run directory's meta.json; undefined without one or when a version before provenance wrote it. */
export function readMeta(dir: string): Provenance | undefined {
  const file = join(dir, 'meta.json');
  if (!existsSync(file)) return undefined;
  const fail = failure(
    file,
    "a run's metadata",
    're-run the scenario, or delete meta.json to redraw without provenance',
  );
  const doc = readJson(file, fail);
  if (doc !== null && typeof doc === 'object' && !('code' in doc)) return undefined;
  return checked(doc, provenanceSchema, fail);
}

function failure(file: string, what: string, fix: string): Failure {
  return (why) => new LabError('bad_run_file', `${file} is not ${what} (${why}); ${fix}`);
}

function readJson(file: string, fail: Failure): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw fail(`not JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
}

// Returns the document itself once it passes (keeping the file's key order, which the report follows).
function checked<T>(doc: unknown, schema: z.ZodType<T>, fail: Failure): T {
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
