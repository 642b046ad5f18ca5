import { countHandedDown, type StoredToken, type TokenStore } from '../l402/index.js';
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

  /**
   * Hands a sub-agent an attenuated copy of the token just used, out of the calls it has left, and
   * counts the calls handed down as used on the stored token: the parent's later reuse stops where
   * the origin's shared counter would refuse it.
   */
  async function delegateStep(s: BuyerStateT): Promise<BuyerUpdate> {
    const at = clock.now();
    const q = s.chosen ? s.offers[s.chosen] : undefined;
    if (!d.delegate || !s.task.delegate || !q?.token?.preimage) return { steps: timed('delegate', at) };
    const token = storedCopy(d.engine.tokens, q.token);
    const delegation = d.delegate(
      {
        macaroon: token.macaroon,
        preimage: q.token.preimage,
        origin: q.req.origin,
        scheme: token.scheme,
        service: token.service,
        callsUsed: token.callsUsed,
      },
      s.task.delegate,
    );
    await countHandedDown(d.engine.tokens, token, delegation.calls);
    return { delegations: [delegation], steps: timed('delegate', at) };
  }

  return { ...findNodes(d), ...buyNodes(d), evaluate, delegate: delegateStep };
}

/** The store's record of `t` (its call count is the current one), else `t` itself. */
function storedCopy(tokens: TokenStore, t: StoredToken): StoredToken {
  const held = tokens.get(t.origin, t.pathPrefix);
  return held?.pathPrefix === t.pathPrefix && held.macaroon === t.macaroon ? held : t;
}
