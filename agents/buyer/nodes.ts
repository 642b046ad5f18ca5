import { buyNodes } from './buy-nodes.js';
import type { BuyerDeps } from './deps.js';
import { findNodes } from './find-nodes.js';
import type { BuyerStateT, BuyerUpdate } from './state.js';

/**
 * The graph's nodes: named functions of the state returning partial
 * updates. Finding an offer is the buyer's own work (find-nodes.ts); buying
 * it runs the purchase engine's stages (buy-nodes.ts), under its guards.
 */
export function buyerNodes(d: BuyerDeps) {
  const { clock } = d;
  const timed = (node: string, at: number) => [{ node, atMs: at, durationMs: clock.now() - at }];

  /** Counts what is done and decides nothing itself: the router after it reads the state. */
  async function evaluate(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    if (s.callsDone >= s.task.calls) return { stop: 'done', steps: timed('evaluate', at) };
    return { steps: timed('evaluate', at) };
  }

  /** Hands a sub-agent an attenuated copy of the token just used. */
  async function delegateStep(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    const q = s.chosen ? s.offers[s.chosen] : undefined;
    if (!d.delegate || !s.task.delegate || !q?.token?.preimage) return { steps: timed('delegate', at) };
    const delegation = d.delegate(
      {
        macaroon: q.token.macaroon,
        preimage: q.token.preimage,
        origin: q.req.origin,
        service: q.token.service,
      },
      s.task.delegate,
    );
    return { delegations: [delegation], steps: timed('delegate', at) };
  }

  return { ...findNodes(d), ...buyNodes(d), evaluate, delegate: delegateStep };
}
