import type { Overrides } from '../scenario/overrides.js';
import type { Summary } from '../metrics/summary.js';

/** One run a sweep worker performs. */
export interface SweepJob {
  id: number;
  scenario: string;
  overrides: Overrides;
  seed: string | number;
  /** The scenario's YAML, when the job may run on another machine (a queued sweep); `scenario` then only names it. */
  text?: string;
  /**
   * The file the scenario's `network.file` names, read where the sweep was started (a queued sweep):
   * `path` as the scenario gives it, `text` its content. The worker runs from this copy.
   */
  networkFile?: { path: string; text: string };
}

/**
 * A worker's answer: the run's summary and the hash of its scenario without the seed (the same
 * for every run of a grid point: `scenarioHashWithoutSeed`), or why it failed (code and message,
 * never a stack-only crash).
 */
export type SweepReply =
  | { id: number; ok: true; summary: Summary; pointHash: string; wallMs: number }
  | { id: number; ok: false; code: string; message: string };
