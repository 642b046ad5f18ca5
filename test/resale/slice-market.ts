import { createL402Client } from '../../agents/l402/index.js';
import { createReseller, createSubAgent } from '../../agents/resale/index.js';
import { createMinter, DerivedRootKeyStore } from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { makeMarket, type SellerSpec } from '../buyer/market.js';

/** The reseller's slice price. */
export const SLICE_MSAT = 12_000;
/** The hub's fee on a 12,000 msat payment: 100 base + 1,000 ppm. */
export const SLICE_FEE_MSAT = 112;
export const SLICE_URL = 'http://reseller.test/slice';

/**
 * origin (a `maxCalls`-call bundle for 30,000, default 6) → reseller (2-call slices at 12,000,
 * `slicesPerBundle` of them per bundle) → `subs` sub-agents, each with its own node, on one
 * simnet; `subFetch` wraps a sub-agent's transport (a hostile reseller seen on the wire).
 */
export function sliceMarket({
  subs = 1,
  slicesPerBundle,
  origin: spec = {},
  subFetch,
}: {
  subs?: number;
  slicesPerBundle?: number;
  origin?: Partial<SellerSpec>;
  subFetch?: (f: typeof fetch) => typeof fetch;
} = {}) {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 6, ...spec });
  const node = m.addNode('reseller', { toHub: true });
  m.net.openChannel(m.hub, node, { capacityMsat: 50_000_000, baseFeeMsat: 100, feeRatePpm: 1_000 });
  const keys = insecureSeededSecrets(m.rng.fork('reseller'));
  const reseller = createReseller({
    name: 'reseller',
    node,
    minter: createMinter({
      rootKeys: new DerivedRootKeyStore(keys.fork('root').bytes(32)),
      randomBytes: (n) => keys.bytes(n),
    }),
    clock: m.clock,
    secrets: keys.fork('preimages'),
    client: createL402Client({ node, fetch: m.fetch, clock: m.clock, buyer: 'reseller' }),
    upstream: { url: origin.url, hints: { expectedPayee: origin.node.pubkey, quotedPriceMsat: 30_000 } },
    slice: { calls: 2, validForSec: 600, priceMsat: SLICE_MSAT },
    ...(slicesPerBundle !== undefined ? { slicesPerBundle } : {}),
  });
  m.mount('reseller.test', reseller.app);
  const subNodes = Array.from({ length: subs }, (_, i) => m.addNode(`sub-${i}`, { toHub: true }));
  const agents = subNodes.map((n, i) =>
    createSubAgent({
      name: `sub-${i}`,
      node: n,
      fetch: subFetch ? subFetch(m.fetch) : m.fetch,
      clock: m.clock,
      budgetMsat: 1_000_000,
    }),
  );
  return { m, origin, node, reseller, agents, subNodes };
}
