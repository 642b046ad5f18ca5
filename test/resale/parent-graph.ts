/**
 * A parent buyer graph with a delegate step, buying 5-call tokens for 20,000 msat from one
 * origin, and the child it hands calls down to.
 */
import { createBuyerAgent, createDecider, type Delegation } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createSubAgent, graphDelegator } from '../../agents/resale/index.js';
import { makeMarket, type Market } from '../buyer/market.js';

/** The market, its origin, and the parent graph buying through `client`; `run` runs a task on it. */
export async function parentGraph() {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 20_000, maxCalls: 5 });
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
  return { m, origin, client, run };
}

/** The sub-agent `child`, on its own node, holding the calls `d` handed down to it. */
export async function childWith(m: Market, d: Delegation) {
  const child = createSubAgent({
    name: 'child',
    node: m.addNode('child', { toHub: true }),
    fetch: m.fetch,
    clock: m.clock,
  });
  await child.receive({ origin: d.origin, service: 'origin', macaroon: d.macaroon, preimage: d.preimage });
  return child;
}
