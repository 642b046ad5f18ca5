import type { Engine } from '../engine/engine.js';
import type { Recorder } from '../metrics/recorder.js';
import type { FaultSpec } from '../scenario/schema.js';
import type { World } from './world.js';
import type { SellerControls } from './chain.js';

/**
 * Schedules the scenario's faults on the engine. Each fault is recorded in
 * the summary (and events.jsonl) when it fires. Money moved by a drain is
 * kept in `transfers` so the conservation ledger can tell it from purchases.
 */
export function scheduleFaults(
  faults: readonly FaultSpec[],
  engine: Engine,
  world: World,
  recorder: Recorder,
  controls: Map<string, SellerControls>,
  transfers: Map<string, number>,
): void {
  faults.forEach((f, i) => {
    const at = Math.round(f.atSec * 1000);
    engine.at(at, `fault[${i}] ${f.kind}`, () => {
      const now = engine.elapsed();
      try {
        if (f.kind === 'node_offline') {
          world.setOnline(f.node, false);
          recorder.fault(now, f.kind, f.node, f.forSec ? `for ${f.forSec} s` : 'until the end');
          if (f.forSec)
            engine.at(now + Math.round(f.forSec * 1000), `fault[${i}] back online`, () => {
              world.setOnline(f.node, true);
              recorder.fault(engine.elapsed(), 'node_online', f.node, 'back online');
            });
        } else if (f.kind === 'drain_channel') {
          const moved = world.drain(f.node, f.fraction);
          for (const [node, msat] of moved) transfers.set(node, (transfers.get(node) ?? 0) + msat);
          recorder.fault(now, f.kind, f.node, `${-(moved.get(f.node) ?? 0)} msat moved to its peers`);
        } else {
          const targets = [...controls.entries()].filter(
            ([name, c]) => name === f.seller || c.group === f.seller,
          );
          for (const [, c] of targets) c.failureRate = f.rate;
          recorder.fault(now, f.kind, f.seller, `failure rate now ${f.rate} on ${targets.length} seller(s)`);
        }
      } catch (err) {
        // A world that cannot inject this fault (regtest) records why and the run goes on.
        const e = err as { code?: string; message?: string };
        recorder.fault(
          now,
          `${f.kind}_skipped`,
          'node' in f ? f.node : f.seller,
          `${e.code ?? 'error'}: ${e.message}`,
        );
      }
    });
  });
}
