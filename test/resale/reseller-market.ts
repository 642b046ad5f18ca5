/**
 * A reseller on one simnet: an origin selling a 6-call bundle for 30,000 msat,
 * a reseller cutting 2-call slices for 12,000, and sub-agents that buy them,
 * with the reseller's options open to each test.
 */
import { createL402Client } from '../../agents/l402/index.js';
import { createReseller, createSubAgent, type ResellerOptions } from '../../agents/resale/index.js';
import { createMinter, DerivedRootKeyStore } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { settle, type VirtualClock } from '../../infra/time/virtual-clock.js';
import { makeMarket, type Market, type SellerSpec } from '../buyer/market.js';

/** The reseller's slice price. */
export const SLICE_MSAT = 12_000;
/** The hub's fee on a 12,000 msat payment: 100 base + 1,000 ppm. */
export const SLICE_FEE_MSAT = 112;
export const SLICE_URL = 'http://reseller.test/slice';

/** The reseller's options a test may set; the upstream defaults to the origin. */
export type ResellerChoices = Partial<
  Pick<
    ResellerOptions,
    'slice' | 'slicesPerBundle' | 'creditLimit' | 'upstreamTimeoutSec' | 'upstreamBackoff' | 'upstream'
  >
>;

/** How the sub-agents are made: their number, budget and transport. */
export interface SubAgentChoices {
  /** Sub-agents sub-0…, each with its own node (default 1). */
  subs?: number;
  /** Each sub-agent's budget (default 100,000 msat). */
  subBudgetMsat?: number;
  /** Wraps a sub-agent's transport (a hostile reseller seen on the wire). */
  subFetch?: (f: typeof fetch) => typeof fetch;
}

/** What a test may choose of the market `resaleMarket` builds. */
export type ResaleMarketChoices = ResellerChoices &
  SubAgentChoices & {
    /** The origin's seller spec over the default (`priceMsat` 30,000, `maxCalls` 6). */
    origin?: Partial<SellerSpec>;
    /** Wraps the node the reseller invoices and settles on (its client pays from the bare node). */
    resellerNode?: (node: LightningNode) => LightningNode;
  };

/** The reseller's options over market `m` (its node, keys and client), before `createReseller`. */
export function resellerOptions(
  m: Market,
  upstreamUrl: string,
  choices: ResellerChoices = {},
): ResellerOptions & { node: SimNode } {
  const node = m.addNode('reseller', { toHub: true });
  m.net.openChannel(m.hub, node, { capacityMsat: 50_000_000, baseFeeMsat: 100, feeRatePpm: 1_000 });
  const keys = insecureSeededSecrets(m.rng.fork('reseller'));
  return {
    name: 'reseller',
    node,
    minter: createMinter({
      rootKeys: new DerivedRootKeyStore(keys.fork('root').bytes(32)),
      randomBytes: (n) => keys.bytes(n),
    }),
    clock: m.clock,
    secrets: keys.fork('preimages'),
    client: createL402Client({ node, fetch: m.fetch, clock: m.clock, buyer: 'reseller' }),
    upstream: { url: upstreamUrl },
    slice: { calls: 2, validForSec: 600, priceMsat: SLICE_MSAT },
    ...choices,
  };
}

/**
 * origin (a `maxCalls`-call bundle for 30,000, default 6) → reseller (mounted at reseller.test) →
 * `subs` sub-agents, on one simnet; `node` is the reseller's bare node, `subNodes` the sub-agents'.
 */
export function resaleMarket({
  subs = 1,
  subBudgetMsat,
  subFetch,
  origin: originSpec = {},
  resellerNode,
  ...choices
}: ResaleMarketChoices = {}) {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 6, ...originSpec });
  const o = resellerOptions(m, origin.url, {
    upstream: { url: origin.url, hints: { expectedPayee: origin.node.pubkey, quotedPriceMsat: 30_000 } },
    ...choices,
  });
  const reseller = createReseller(resellerNode ? { ...o, node: resellerNode(o.node) } : o);
  m.mount('reseller.test', reseller.app);
  const agents = subAgents(m, subs, { subBudgetMsat, subFetch });
  return { m, origin, reseller, node: o.node, agents, subNodes: agents.map((a) => m.net.node(a.name)) };
}

/** `count` sub-agents, sub-0…, each on its own node with a channel to the hub. */
export function subAgents(
  m: Market,
  count: number,
  { subBudgetMsat = 100_000, subFetch }: Omit<SubAgentChoices, 'subs'> = {},
) {
  return Array.from({ length: count }, (_, i) =>
    createSubAgent({
      name: `sub-${i}`,
      node: m.addNode(`sub-${i}`, { toHub: true }),
      fetch: subFetch ? subFetch(m.fetch) : m.fetch,
      clock: m.clock,
      budgetMsat: subBudgetMsat,
    }),
  );
}

/** A check URL at the origin that answers 404: the buyer cancels every slice it gets. */
export const CANCEL_ALL = { url: 'http://origin.test/nope' };

/**
 * `drive` that never moves the clock past `untilMs`: what waits for a later
 * time (a payment held upstream until its CLTV expiry) stays in flight.
 */
export async function driveUntil<T>(clock: VirtualClock, p: Promise<T>, untilMs: number): Promise<T> {
  let done = false;
  const tracked = p.finally(() => {
    done = true;
  });
  while (!done) {
    await clock.runUntilIdle(untilMs);
    await settle(5);
    const next = clock.nextWakeAt;
    if (!done && (next === undefined || next > untilMs))
      throw new Error(`driveUntil: the promise is still pending at ${untilMs}`);
  }
  return tracked;
}
