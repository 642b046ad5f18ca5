import { performance } from 'node:perf_hooks';
import { loadScenario, loadScenarioText } from '../scenario/load.js';
import { scenarioChecks } from '../market/checks.js';
import { runScenario } from '../run.js';
import { scenarioHashWithoutSeed } from '../scenario/hash.js';
import type { SweepJob, SweepReply } from './protocol.js';
import { shippedNetwork } from './network-file.js';

/**
 * Runs one sweep job (in a worker or inline) and turns any failure into a reply with a code.
 * `signal` stops the run early (an inline job of a stopped sweep, whose reply is then dropped).
 */
export async function runJob(job: SweepJob, signal?: AbortSignal): Promise<SweepReply> {
  const t0 = performance.now();
  try {
    // A queued job may bring the file its network.file names; then it runs from that copy.
    const shipped = shippedNetwork(job);
    const opts = { overrides: shipped?.overrides ?? job.overrides, checks: scenarioChecks };
    const loaded =
      job.text === undefined
        ? loadScenario(job.scenario, opts)
        : loadScenarioText(job.text, opts, job.scenario);
    const { scenario, world } = shipped?.prepare(loaded, job.seed) ?? { scenario: loaded };
    const { summary } = await runScenario(scenario, {
      seed: job.seed,
      ...(world && { world }),
      ...(signal && { signal }),
    });
    const pointHash = scenarioHashWithoutSeed(scenario);
    return { id: job.id, ok: true, summary, pointHash, wallMs: performance.now() - t0 };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return {
      id: job.id,
      ok: false,
      code: typeof e?.code === 'string' ? e.code : 'run_failed',
      message: typeof e?.message === 'string' ? e.message : String(err),
    };
  }
}
