import type { Engine, EngineResult, StopWhen } from './engine/engine.js';
import type { Summary } from './metrics/summary.js';
import type { Scenario } from './scenario/schema.js';

/**
 * A run stopped before its end (`RunOptions.signal`: the live demo's Ctrl-C)
 * writes what it recorded up to the stop: every row and event before it, and
 * a summary of them. summary.json says so (`stopped: true`, and first among
 * its warnings, where it stopped), so no one takes it for a whole run.
 */
export function stoppedNote(summary: Summary, result: EngineResult, scenario: Scenario): Summary {
  if (!result.stopped) return summary;
  const figures = summary.conservation.holds
    ? 'its figures cover the market up to the stop only'
    : `purchases were still between payment and record when it stopped (no moment without one came within drainSec, ${scenario.drainSec} s), so its records and its ledger differ`;
  const note = `${stoppedAt(result.endedAtMs, scenario)}: the run did not finish, and ${figures}`;
  return afterEndedAt({ ...summary, warnings: [note, ...summary.warnings] });
}

/** `summary` with `stopped: true` placed after `endedAtMs`, where summary.json's readers look for where a run ended. */
function afterEndedAt(summary: Summary): Summary {
  const entries = Object.entries(summary).flatMap(([k, v]) =>
    k === 'endedAtMs' ? [[k, v] as const, ['stopped', true] as const] : [[k, v] as const],
  );
  return Object.fromEntries(entries) as unknown as Summary;
}

/**
 * Stops `engine` once `signal` aborts; returns the function that stops
 * listening. The run ends at its first moment whose records and ledger agree
 * (`settled`: no purchase between its payment and its row, so the partial
 * run's conservation check holds), the market running on meanwhile; or,
 * failing that, once the scenario's drainSec has passed since the stop.
 */
export function stopOnAbort(
  signal: AbortSignal | undefined,
  engine: Engine,
  drainSec: number,
  settled: () => Promise<boolean>,
): () => void {
  if (!signal) return () => {};
  const stop = () => engine.stop(whenSettled(engine, drainSec, settled));
  if (signal.aborted) stop();
  signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}

function whenSettled(engine: Engine, drainSec: number, settled: () => Promise<boolean>): StopWhen {
  const giveUpAt = engine.elapsed() + Math.round(drainSec * 1000);
  return async () => engine.elapsed() >= giveUpAt || (await settled());
}

/** `stopped at 6.0 s of 90 s of market time`: where a stopped run ended, of its whole length (duration and drain). */
export function stoppedAt(endedAtMs: number, scenario: Pick<Scenario, 'durationSec' | 'drainSec'>): string {
  const total = scenario.durationSec + scenario.drainSec;
  return `stopped at ${(endedAtMs / 1000).toFixed(1)} s of ${total} s of market time`;
}
