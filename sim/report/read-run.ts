import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { reportedSummarySchema, type ReportedSummary } from '../metrics/summary-schema.js';
import { checkedRunJson, readRunJson, runFileFailure } from '../metrics/run-file.js';
import type { Provenance } from './provenance.js';

/**
 * Reads a finished run's files back for `sim report`, checking each against
 * its schema (`sim/metrics/run-file.ts`, which the replay reads summary.json
 * with too): a file that is not what a run writes fails as bad_run_file with
 * its path, what is wrong and what to do.
 */

/** The fields of meta.json the report shows (its provenance table). */
const provenanceSchema: z.ZodType<Provenance> = z.object({
  code: z.object({ commit: z.string(), dirty: z.boolean().nullable() }),
  node: z.string(),
  versions: z.record(z.string(), z.string()),
  secrets: z.enum(['seeded', 'os']).optional(),
});

/**
 * Reads a run directory's summary.json back, checked as `readRunSummary` checks it; one written by
 * an older version, before negotiation entries recorded `paid`, is read too (`reportedSummarySchema`:
 * the report says what that run did not record).
 */
export function readSummary(dir: string): ReportedSummary {
  const file = join(dir, 'summary.json');
  const fail = runFileFailure(file, 'a run summary', 're-run the scenario to write it again');
  const doc = readRunJson(file, fail);
  return checkedRunJson(doc, reportedSummarySchema(doc), fail);
}

/** The provenance in a run directory's meta.json; undefined without one or when a version before provenance wrote it. */
export function readMeta(dir: string): Provenance | undefined {
  const file = join(dir, 'meta.json');
  if (!existsSync(file)) return undefined;
  const fail = runFileFailure(
    file,
    "a run's metadata",
    're-run the scenario, or delete meta.json to redraw without provenance',
  );
  const doc = readRunJson(file, fail);
  if (doc !== null && typeof doc === 'object' && !('code' in doc)) return undefined;
  return checkedRunJson(doc, provenanceSchema, fail);
}
