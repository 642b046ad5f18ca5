/**
 * A parent buyer graph with a delegate step, buying 5-call tokens for 20,000 msat from one
 * origin (its listed seller, or with `lsatOnly` an LSAT-era app in its place), and the child it
 * hands calls down to.
 */
import { createBuyerAgent, createDecider, type Delegation } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createSubAgent, graphDelegator } from '../../agents/resale/index.js';
import { caveats } from '../../infra/l402/index.js';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import { lsatSellerApp } from '../buyer/lsat-seller.js';
import { makeMarket, type Market } from '../buyer/market.js';

/**
 * The market, its origin, and the parent graph buying through `client`; `run` runs a task on it.
 * With `lsatOnly`, origin.test is served by an LSAT-era app on the origin's node instead (its
 * listing unchanged): 5-call tokens for service `origin` that it offers and accepts as `LSAT` only
 * (`seen`: the scheme of each request's Authorization).
 */
export async function parentGraph({ lsatOnly = false }: { lsatOnly?: boolean } = {}) {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 20_000, maxCalls: 5 });
  const seen = lsatOnly ? lsatOrigin(m, origin.node) : [];
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const agent = createBuyerAgent({
    name: 'parent',
    registry: await m.registry(),
    client,
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    delegate: graphDelegator(m.clock),
  });
  /** Runs a task of `calls` calls worth `valueMsat` that hands `delegated` calls to `child`. */
  const run = (calls: number, delegated: number, valueMsat: number) =>
    agent.runTask({
      id: 'job',
      capability: 'data',
      valueMsat,
      calls,
      delegate: { to: 'child', calls: delegated, validForSec: 300 },
    });
  return { m, origin, client, run, seen };
}

/** Serves origin.test with an LSAT-only app on `node` (5-call `origin` tokens at 20,000 msat); the schemes it saw. */
function lsatOrigin(m: Market, node: SimNode): string[] {
  const granted = [caveats.services([{ name: 'origin', tier: 0 }]), caveats.maxCalls('origin', 5)];
  const old = lsatSellerApp(m, {
    node,
    offers: ['LSAT'],
    accepts: ['LSAT'],
    priceMsat: 20_000,
    caveats: granted,
  });
  m.mount('origin.test', old.app);
  return old.seen;
}

/** The sub-agent `child`, on its own node, holding the calls `d` handed down to it. */
export async function childWith(m: Market, d: Delegation) {
  const child = createSubAgent({
    name: 'child',
    node: m.addNode('child', { toHub: true }),
    fetch: m.fetch,
    clock: m.clock,
  });
  const { origin, macaroon, preimage, scheme } = d;
  await child.receive({ origin, service: 'origin', macaroon, preimage, ...(scheme ? { scheme } : {}) });
  return child;
}
