import type { Rng } from '../../infra/random.js';
import type { Task } from '../../agents/buyer/types.js';
import type { BeforeWork } from '../../services/sellers/seller-app.js';
import type { SellerSpec } from '../scenario/schema.js';
import type { MarketAgent } from './agent.js';
import type { MarketSeller } from './sellers.js';
import { taskInput } from './task-input.js';

/** What the simulator can change on a running seller (fault injection). */
export interface SellerControls {
  group: string;
  /** Extra probability that a paid call fails with 500, on top of the seller's own. */
  failureRate: number;
}

/**
 * Wraps a seller's app for the market: injected failures (the `failure_rate`
 * fault) on paid calls (requests that carry an Authorization header), drawn
 * from the seller's own stream, answered as the seller would (500, nothing
 * delivered).
 */
export function wrapSeller(
  s: MarketSeller,
  controls: SellerControls,
  rng: Rng,
): (req: Request) => Promise<Response> {
  const failures = rng.fork('injected-failures');
  return async function marketSeller(req: Request): Promise<Response> {
    // Only a paid call can fail on purpose: with no failure rate in play, nothing to read.
    const paid =
      controls.failureRate > 0 &&
      req.headers.has('authorization') &&
      new URL(req.url).pathname === s.seller.path;
    if (paid && failures.next() < controls.failureRate)
      return Response.json(
        { error: 'service_failed', message: `${s.name} failed to serve this call` },
        { status: 500 },
      );
    return s.seller.app.fetch(req);
  };
}

/**
 * Upstream buying (agent chains), the seller's `BeforeWork`: on each paid
 * call its paywall accepted, the seller's own agent buys what the spec's
 * `upstream` lists, through the registry and L402 like any buyer. If that
 * fails the seller answers 502 and serves nothing (the call is given back).
 * A call the paywall refuses buys nothing.
 */
export function buyUpstream(
  name: string,
  spec: SellerSpec,
  upstream: MarketAgent,
  rng: Rng,
  nextTaskId: () => string,
): BeforeWork {
  const inputs = rng.fork('upstream-inputs');
  return async function buyInputs(): Promise<Response | undefined> {
    for (const u of spec.upstream) {
      const input = taskInput(u.capability, inputs);
      const task: Task = {
        id: nextTaskId(),
        capability: u.capability,
        calls: u.calls,
        // An intermediary pays at most what the call earns it, unless the spec says otherwise.
        valueMsat: u.maxPriceMsat ?? (spec.price.kind === 'fixed' ? spec.price.msat : spec.price.baseMsat),
        ...input,
      };
      const r = await upstream.runTask(task);
      if (!r.done)
        return Response.json(
          {
            error: 'upstream_unavailable',
            message: `${name} could not buy ${u.capability}: ${r.stopReason}`,
          },
          { status: 502 },
        );
    }
    return undefined;
  };
}
