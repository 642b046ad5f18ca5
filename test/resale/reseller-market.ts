/**
 * A reseller on one simnet, as in `test/security/resale-release.test.ts`: an
 * origin selling a 6-call bundle for 30,000 msat, a reseller cutting 2-call
 * slices for 12,000, and sub-agents that buy them, with the reseller's
 * options open to each test.
 */
import { createL402Client } from '../../agents/l402/index.js';
import { createReseller, createSubAgent, type ResellerOptions } from '../../agents/resale/index.js';
import { createMinter, DerivedRootKeyStore } from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { settle, type VirtualClock } from '../../infra/time/virtual-clock.js';
import { makeMarket, type Market, type SellerSpec } from '../buyer/market.js';

export const SLICE_MSAT = 12_000;
export const SLICE_URL = 'http://reseller.test/slice';

/** The reseller's options a test may set; the upstream defaults to the origin. */
export type ResellerChoices = Partial<
  Pick<
    ResellerOptions,
    'slice' | 'slicesPerBundle' | 'creditLimit' | 'upstreamTimeoutSec' | 'upstreamBackoff' | 'upstream'
  >
>;

/** The reseller's options over market `m` (its node, keys and client), before `createReseller`. */
export function resellerOptions(
  m: Market,
  upstreamUrl: string,
  choices: ResellerChoices = {},
): ResellerOptions {
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

/** origin → reseller (mounted at reseller.test) → `subs` sub-agents with 100,000 msat budgets each. */
export function resaleMarket({
  subs = 1,
  origin: originSpec = {},
  ...choices
}: ResellerChoices & { subs?: number; origin?: Partial<SellerSpec> } = {}) {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 6, ...originSpec });
  const o = resellerOptions(m, origin.url, {
    upstream: { url: origin.url, hints: { expectedPayee: origin.node.pubkey, quotedPriceMsat: 30_000 } },
    ...choices,
  });
  const reseller = createReseller(o);
  m.mount('reseller.test', reseller.app);
  return { m, origin, reseller, node: o.node, agents: subAgents(m, subs) };
}

/** `count` sub-agents, sub-0…, each on its own node with a channel to the hub. */
export function subAgents(m: Market, count: number) {
  return Array.from({ length: count }, (_, i) =>
    createSubAgent({
      name: `sub-${i}`,
      node: m.addNode(`sub-${i}`, { toHub: true }),
      fetch: m.fetch,
      clock: m.clock,
      budgetMsat: 100_000,
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
