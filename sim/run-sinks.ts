import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileSink, type TextSink } from './metrics/sink.js';
import { clearRunOutputs } from './report/write-run.js';
import { ScenarioError } from './scenario/errors.js';
import { isLabError, LabError } from '../infra/errors.js';

/** Where a run's rows go: purchases.csv, tasks.csv, events.jsonl. */
export interface RunSinks {
  purchases?: TextSink;
  tasks?: TextSink;
  events?: TextSink;
}

/** A run's row files, created only once its market is set up. */
export interface RunFiles {
  sinks: RunSinks;
  /**
   * Creates the files in the out directory, after removing a previous run's
   * outputs there; once. Until then rows stay in memory, so a market setup
   * that fails leaves the directory as it was.
   */
  open(): void;
  /** The error a failed run throws: `err`, saying what the run left in the out directory. */
  failed(err: unknown): unknown;
}

/**
 * The row files of a run writing to `outDir` (deferred: `open` creates them),
 * or, without one, the caller's sinks (or none).
 */
export function runFiles(outDir: string | undefined, opts: { events?: boolean; sinks?: RunSinks }): RunFiles {
  if (outDir === undefined) return { sinks: opts.sinks ?? {}, open: () => {}, failed: (err) => err };
  const names = ['purchases.csv', 'tasks.csv', ...(opts.events !== false ? ['events.jsonl'] : [])];
  const all = names.map((name) => new FileSink(join(outDir, name), undefined, { deferOpen: true }));
  const [purchases, tasks, events] = all;
  const files = { purchases, tasks, ...(events && { events }) };
  let opened = false;
  return {
    sinks: files,
    open() {
      if (opened) return;
      opened = true;
      mkdirSync(outDir, { recursive: true });
      clearRunOutputs(outDir);
      for (const f of all) f.open();
    },
    failed(err) {
      for (const f of all) f.discard();
      if (!isLabError(err) || err instanceof ScenarioError) return err;
      const left = opened
        ? `; the records up to the failure are in ${outDir}/{${names.join(',')}}, with no summary.json`
        : `; nothing was written (${outDir} is as it was)`;
      return new LabError(err.code, `${err.message}${left}`, { cause: err });
    },
  };
}
