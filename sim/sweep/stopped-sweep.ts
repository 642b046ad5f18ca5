import { LabError } from '../../infra/errors.js';
import { plural } from '../report/format.js';
import type { StopWords } from '../stop-presses.js';

/**
 * A local sweep stopped (Ctrl-C, SIGTERM) before all its runs finished: no run
 * starts after the stop, the runs in progress end unfinished and are dropped,
 * and nothing is merged. Each run that finished before the stop has its
 * summary.json in `<out>/runs/point-P/seed-S/` already (collect.ts); no
 * sweep.json, sweep.csv, report.html or chart is written. Running the same
 * command again runs every run anew: it removes the stopped sweep's files
 * before its first write (out-dir.ts) and reuses none of them.
 */
export class SweepStopped extends LabError<'sweep_stopped'> {
  override name = 'SweepStopped';

  constructor(
    /** Runs that finished with a summary (written to `outDir`). */
    readonly kept: number,
    /** Runs that finished failing. */
    readonly failed: number,
    readonly total: number,
    readonly outDir: string | undefined,
  ) {
    super('sweep_stopped', stoppedSweepText(kept, failed, total, outDir));
  }
}

/** The second and third presses' words during a sweep. */
export const SWEEP_STOP_WORDS: StopWords = {
  stopping: "stopping: ending the sweep's runs in progress; press Ctrl-C again to quit at once",
  quitting: 'quitting at once',
};

/**
 * `sweep stopped: 3 of 8 runs finished; …`: what finished, where it is, that
 * nothing was merged, and how to get the whole sweep.
 */
function stoppedSweepText(kept: number, failed: number, total: number, outDir: string | undefined): string {
  const finished = kept + failed;
  const failures = failed ? ` (${failed} failed)` : '';
  const head = `sweep stopped: ${finished} of ${plural(total, 'run')} finished${failures}`;
  const whole = 'for the whole sweep run the same command again';
  if (outDir === undefined) return `${head}; nothing was merged or written; ${whole}.`;
  if (kept === 0) return `${head}; no run's summary.json was written, and ${outDir} is as it was; ${whole}.`;
  const files =
    kept === 1
      ? failed
        ? 'the summary.json of the one that succeeded is'
        : 'its summary.json is'
      : failed
        ? `the summary.json files of the ${kept} that succeeded are`
        : 'their summary.json files are';
  return (
    `${head}; ${files} kept in ${outDir}/runs/point-*/seed-*/, ` +
    'and no sweep.json, sweep.csv or report.html was written.\n' +
    `${whole}: it runs all ${plural(total, 'run')} anew, reusing none of the finished ones, and replaces their files.`
  );
}
