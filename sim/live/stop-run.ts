/**
 * Ctrl-C (or SIGTERM) during `npm run demo`. The first stops a live run that
 * has not finished: market time is held, then the market runs on unpaced to
 * its first moment with no purchase between payment and record
 * (sim/stopped-run.ts), and what it recorded up to then is written to its
 * directory as a run of its own, which replays (its summary.json says where
 * it stopped). Presses after the first are handled as sim/stop-presses.ts
 * says.
 */
import { SAME_PRESS_MS } from '../../infra/presses.js';
import { stoppedAt } from '../stopped-run.js';
import type { LiveMarket } from './live-market.js';

/** What the demo says after a run is stopped, or why stopping it failed. */
export type StopOutcome = { ok: true; message?: string } | { ok: false; error: unknown };

/**
 * Stops `market` if it is still running and waits for its files; says where
 * it stopped and what `outDir` holds. Nothing to say when it had finished.
 */
export async function stopRun(market: LiveMarket, outDir: string): Promise<StopOutcome> {
  try {
    // `npm run` passes the terminal's SIGINT on a second time, a few ms later. Writing the run
    // blocks the event loop for longer, and a copy seen only after it would count as a second
    // press, so market time is held first (and controls refused) and the writing waits until that
    // copy is in.
    market.beginStop();
    await new Promise((resolve) => setTimeout(resolve, SAME_PRESS_MS));
    const out = await market.stop();
    if (!out.engine.stopped) return { ok: true };
    const where = stoppedAt(out.summary.endedAtMs, market.scenario);
    return {
      ok: true,
      message: `${where}: the run did not finish; ${outDir} holds a partial run (replay: npm run demo -- --replay ${outDir})`,
    };
  } catch (error) {
    return { ok: false, error };
  }
}
