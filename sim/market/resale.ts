import type { LightningNode } from '../../infra/lightning/node.js';
import { tierSold } from '../../services/registry/index.js';
import type { Listing } from '../../services/registry/types.js';
import { DerivedRootKeyStore, createMinter } from '../../infra/l402/index.js';
import { createL402Client, type PurchaseEvent, type PurchaseResult } from '../../agents/l402/index.js';
import { createReseller } from '../../agents/resale/index.js';
import type { Engine } from '../engine/engine.js';
import type { ResellerSpec, Scenario } from '../scenario/schema.js';
import { instanceNames } from '../scenario/checks.js';
import type { MarketRegistry } from './registry.js';
import { stepEvents } from './step-events.js';
import { purchaseRow } from './purchase-row.js';
import type { World } from './world.js';
import { buildSubAgents, startSubAgent, type BuiltReseller, type ResaleCtx } from './resale-sub-agents.js';

/** The resellers of a market and their sub-agents. */
export interface ResaleMarket {
  start(engine: Engine, durationMs: number): void;
}

/** Where a reseller buys: the origin listing, its bundle tier, and the slice price with the markup. */
interface Origin {
  listing: Listing;
  bundle: Listing['tiers'][number];
  priceMsat: number;
}

/**
 * Builds each reseller (agents/resale: buys a bundle from the cheapest
 * origin that sells one, sells attenuated slices through its own paywall,
 * pay-on-success) and its sub-agents (buy a slice, then call the origin with
 * it). The reseller's bundle purchases are recorded from its client's pay
 * events; sub-agents' slice purchases and calls from their results.
 */
export async function buildResellers(
  scenario: Scenario,
  world: World,
  registry: MarketRegistry,
  run: Omit<ResaleCtx, 'world'>,
): Promise<ResaleMarket> {
  const ctx: ResaleCtx = { world, ...run };
  const built: BuiltReseller[] = [];
  for (const spec of scenario.resellers) {
    const origin = await findOrigin(registry, spec);
    for (const name of instanceNames(spec.name, spec.count))
      built.push(await buildReseller(ctx, spec, origin, name));
  }
  return {
    start(engine, durationMs) {
      for (const r of built) for (const sub of r.subs) startSubAgent(ctx, engine, r, sub, durationMs);
    },
  };
}

/**
 * The origin: the listing of the capability whose bundle is cheapest. The search names the tier the
 * reseller buys (`tier=bundle`: each listing ranked by its first bundle, the one the reseller is sold)
 * and keeps only listings that sell one (`sells=bundle`), so a listing's cheaper tier of another
 * kind, or a seller of no bundle, cannot take the places of a search's few results.
 */
async function findOrigin(registry: MarketRegistry, spec: ResellerSpec): Promise<Origin> {
  const q = { capability: spec.capability, sort: 'price', tier: 'bundle', sells: 'bundle' } as const;
  const [listing] = await registry.search(q);
  const bundle = listing && tierSold(listing, 'bundle');
  if (!listing || bundle?.kind !== 'bundle')
    throw new Error(`reseller ${spec.name}: no listing of ${spec.capability} sells a bundle`);
  // Each bundle it bought would hold no slice to sell (unless it is set to oversell).
  const calls = bundle.calls ?? 1;
  if (!spec.oversell && calls < spec.sliceCalls)
    throw new Error(
      `reseller ${spec.name}: its origin ${listing.name} (the cheapest bundle of ${spec.capability} its search found) sells ${calls}-call bundles, which hold no ${spec.sliceCalls}-call slice; set sliceCalls to at most ${calls}`,
    );
  const perCall = Math.ceil(bundle.priceMsat / calls);
  const priceMsat = Math.ceil((perCall * spec.sliceCalls * (1_000_000 + spec.markupPpm)) / 1_000_000);
  return { listing, bundle, priceMsat };
}

/** One reseller instance: its node, its upstream client, its slice paywall served in the world, its sub-agents. */
async function buildReseller(
  ctx: ResaleCtx,
  spec: ResellerSpec,
  origin: Origin,
  name: string,
): Promise<BuiltReseller> {
  const { world, recorder, revenue, logger } = ctx;
  const rng = world.rng.fork(`reseller/${name}`);
  const node = await world.node(name, 'reseller', spec.balanceMsat);
  recorder.entity('reseller');
  const secrets = world.secretsFor(rng);
  const keys = secrets.fork('keys');
  const client = restockClient(ctx, spec, origin, name, node);
  const reseller = createReseller({
    name,
    node,
    // Root keys derived from one secret, as the sellers' are: an unpaid slice challenge leaves nothing behind.
    minter: createMinter({
      rootKeys: new DerivedRootKeyStore(keys.fork('root').bytes(32)),
      randomBytes: (n) => keys.bytes(n),
    }),
    clock: world.clock,
    secrets: secrets.fork('preimages'),
    client,
    upstream: {
      url: origin.listing.url,
      tier: origin.bundle.tier,
      // Its slices are checked against the bundle's advertised calls (not when set to oversell).
      calls: origin.bundle.calls ?? 1,
      hints: { expectedPayee: origin.listing.nodePubkey, quotedPriceMsat: origin.bundle.priceMsat },
    },
    slice: { calls: spec.sliceCalls, validForSec: 600, priceMsat: origin.priceMsat },
    ...(spec.slicesPerBundle !== undefined ? { slicesPerBundle: spec.slicesPerBundle } : {}),
    ...(spec.oversell ? { oversell: true } : {}),
    ...(spec.creditLimit ? { creditLimit: spec.creditLimit } : {}),
    logger,
    onEvent: revenue.listener(name, spec.name, true),
    onBundleCheck: bundleCheckRow(ctx, spec, origin, name),
  });
  revenue.watch(node);
  const base = await world.serve(`${name}.resellers.sim`, (req) => reseller.app.fetch(req));
  const subs = await buildSubAgents(ctx, spec, name);
  return {
    name,
    spec,
    sliceUrl: `${base}/slice`,
    originUrl: origin.listing.url,
    originSeller: origin.listing.name,
    originTiers: origin.listing.tiers,
    subs,
  };
}

/**
 * The reseller's upstream client; each bundle it pays for is recorded as the
 * reseller's purchase (task `<name>/restock-<k>`), and every step of its
 * purchases goes to events.jsonl under the restock it leads to (the steps of
 * an attempt that paid nothing share the next restock's label); a bundle
 * check's call, under its own tag (`<name>/bundle-check-<k>`).
 */
function restockClient(
  ctx: ResaleCtx,
  spec: ResellerSpec,
  origin: Origin,
  name: string,
  node: LightningNode,
) {
  const { world, recorder, logger, startMs } = ctx;
  let restock = 0;
  const steps = stepEvents(recorder, startMs);
  return createL402Client({
    node,
    fetch: world.fetch,
    clock: world.clock,
    logger,
    buyer: name,
    acceptUnsignedInvoices: world.acceptUnsignedInvoices,
    onEvent: (e: PurchaseEvent, tag: string | undefined) => {
      // Restocks are untagged; a bundle check tags its call.
      steps?.(e, tag ?? `${name}/restock-${restock}`);
      if (e.step !== 'pay' || !e.ok) return;
      // A bundle bought upstream: the reseller's cost, and routing fees the ledger will see. It is an
      // acquisition, not a call: the bundle's calls are made by the sub-agents with the slices.
      const row = purchaseRow(
        {
          outcome: 'success',
          quotedMsat: e.amountMsat,
          paidMsat: e.amountMsat,
          feeMsat: e.feeMsat,
          hops: e.hops,
          requests: 1,
          tokenReused: false,
          timings: { payMs: e.durationMs, startedAt: e.atMs, endedAt: e.atMs + e.durationMs },
        },
        {
          buyer: name,
          group: spec.name,
          role: 'reseller',
          seller: origin.listing.name,
          capability: spec.capability,
          taskId: `${name}/restock-${restock++}`,
          startMs,
          tier: origin.bundle,
        },
      );
      recorder.purchase({ ...row, stage: 'acquire' });
    },
  });
}

/**
 * Records each bundle check (agents/resale/bundle-probe.ts) as the reseller's purchase: a call at the
 * origin with a held copy of its bundle (stage `consume`, nothing paid, task the check's tag), served by
 * the origin at its cost of serving a call when it delivered.
 */
function bundleCheckRow(
  ctx: ResaleCtx,
  spec: ResellerSpec,
  origin: Origin,
  name: string,
): (tag: string, call: PurchaseResult) => void {
  const at = {
    buyer: name,
    group: spec.name,
    role: 'reseller' as const,
    seller: origin.listing.name,
    capability: spec.capability,
    startMs: ctx.startMs,
    tiers: origin.listing.tiers,
  };
  return (tag, call) => ctx.recorder.purchase(purchaseRow(call, { ...at, taskId: tag }));
}
