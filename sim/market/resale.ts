import { insecureSeededSecrets, type Rng } from '../../infra/random.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Listing } from '../../services/registry/types.js';
import { MemoryRootKeyStore, createMinter } from '../../infra/l402/index.js';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { createReseller, createSubAgent, type SubAgent } from '../../agents/resale/index.js';
import type { Engine } from '../engine/engine.js';
import { drawValue, nextArrivalMs } from '../engine/draws.js';
import type { Recorder } from '../metrics/recorder.js';
import type { ResellerSpec, Scenario } from '../scenario/schema.js';
import { instanceNames } from '../scenario/checks.js';
import type { MarketRegistry } from './registry.js';
import type { RevenueTracker } from './sellers.js';
import { purchaseRow } from './purchase-row.js';
import type { World } from './world.js';

/** The resellers of a market and their sub-agents. */
export interface ResaleMarket {
  start(engine: Engine, durationMs: number): void;
}

interface BuiltReseller {
  name: string;
  spec: ResellerSpec;
  sliceUrl: string;
  originUrl: string;
  subs: { agent: SubAgent; rng: Rng }[];
}

/** What building and running the resellers reads. */
interface ResaleCtx {
  world: World;
  recorder: Recorder;
  revenue: RevenueTracker;
  logger: Logger;
  startMs: number;
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
  recorder: Recorder,
  revenue: RevenueTracker,
  logger: Logger,
  startMs: number,
): Promise<ResaleMarket> {
  const ctx: ResaleCtx = { world, recorder, revenue, logger, startMs };
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

/** The origin: the cheapest listing of the capability that sells a bundle. */
async function findOrigin(registry: MarketRegistry, spec: ResellerSpec): Promise<Origin> {
  const listings = await registry.search({ capability: spec.capability, sort: 'price' });
  const listing = listings.find((l) => l.tiers.some((t) => t.kind === 'bundle'));
  if (!listing) throw new Error(`reseller ${spec.name}: no listing of ${spec.capability} sells a bundle`);
  const bundle = listing.tiers.find((t) => t.kind === 'bundle')!;
  const perCall = Math.ceil(bundle.priceMsat / (bundle.calls ?? 1));
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
  // Simulated runs repeat from the seed, keys included: never do this facing real buyers.
  const secrets = insecureSeededSecrets(rng);
  const keys = secrets.fork('keys');
  const client = restockClient(ctx, spec, origin, name, node);
  const reseller = createReseller({
    name,
    node,
    minter: createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keys.bytes(n) }),
    clock: world.clock,
    secrets: secrets.fork('preimages'),
    client,
    upstream: {
      url: origin.listing.url,
      tier: origin.bundle.tier,
      hints: { expectedPayee: origin.listing.nodePubkey, quotedPriceMsat: origin.bundle.priceMsat },
    },
    slice: { calls: spec.sliceCalls, validForSec: 600, priceMsat: origin.priceMsat },
    logger,
    onEvent: revenue.listener(name, spec.name, true),
  });
  revenue.watch(node);
  const base = await world.serve(`${name}.resellers.sim`, (req) => reseller.app.fetch(req));
  const subs = await buildSubAgents(ctx, spec, name);
  return { name, spec, sliceUrl: `${base}/slice`, originUrl: origin.listing.url, subs };
}

/** The reseller's upstream client; each bundle it pays for is recorded as the reseller's purchase. */
function restockClient(
  ctx: ResaleCtx,
  spec: ResellerSpec,
  origin: Origin,
  name: string,
  node: LightningNode,
) {
  const { world, recorder, logger, startMs } = ctx;
  let restock = 0;
  return createL402Client({
    node,
    fetch: world.fetch,
    clock: world.clock,
    logger,
    buyer: name,
    acceptUnsignedInvoices: world.acceptUnsignedInvoices,
    onEvent: (e: PurchaseEvent) => {
      if (e.step !== 'pay' || !e.ok) return;
      // A bundle bought upstream: the reseller's cost, and routing fees the ledger will see.
      recorder.purchase(
        purchaseRow(
          {
            outcome: 'success',
            quotedMsat: e.amountMsat,
            paidMsat: e.amountMsat,
            feeMsat: e.feeMsat,
            hops: e.hops,
            attempts: 1,
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
          },
        ),
      );
    },
  });
}

/** The reseller's sub-agents, each with its node, budget and own seeded stream. */
async function buildSubAgents(
  ctx: ResaleCtx,
  spec: ResellerSpec,
  name: string,
): Promise<BuiltReseller['subs']> {
  const { world, recorder, logger } = ctx;
  const subs: BuiltReseller['subs'] = [];
  for (const subName of instanceNames(`${name}-sub`, spec.subAgents.count)) {
    const subNode = await world.node(subName, 'sub-agent', Math.ceil(spec.subAgents.budgetMsat * 1.1));
    recorder.entity('sub-agent');
    const agent = createSubAgent({
      name: subName,
      node: subNode,
      fetch: world.fetch,
      clock: world.clock,
      budgetMsat: spec.subAgents.budgetMsat,
      logger,
    });
    subs.push({ agent, rng: world.rng.fork(`sub-agent/${subName}`) });
  }
  return subs;
}

/** Spawns a sub-agent's arrivals: each draws a task value and runs one slice task. */
function startSubAgent(
  ctx: ResaleCtx,
  engine: Engine,
  r: BuiltReseller,
  sub: BuiltReseller['subs'][number],
  durationMs: number,
): void {
  const arrivals = sub.rng.fork('arrivals');
  const values = sub.rng.fork('values');
  let n = 0;
  engine.spawn(`arrivals ${sub.agent.name}`, async () => {
    for (let first = true; ; first = false) {
      const wait = nextArrivalMs(r.spec.subAgents.arrivals, arrivals, first);
      if (engine.elapsed() + wait >= durationMs) return;
      await ctx.world.clock.sleep(wait);
      const taskId = `${sub.agent.name}/${n++}`;
      const valueMsat = drawValue(r.spec.subAgents.value, values);
      engine.spawn(`task ${taskId}`, () => runSubTask(ctx, r, sub.agent, taskId, valueMsat));
    }
  });
}

/** One sub-agent task: buy a slice, spend its calls at the origin, record the purchases and the task. */
async function runSubTask(
  ctx: ResaleCtx,
  r: BuiltReseller,
  agent: SubAgent,
  taskId: string,
  valueMsat: number,
): Promise<void> {
  const { recorder, startMs } = ctx;
  const clock = ctx.world.clock;
  const startedAt = clock.now();
  const row = {
    buyer: agent.name,
    group: `${r.spec.name} sub-agents`,
    role: 'sub-agent' as const,
    capability: r.spec.capability,
    taskId,
    startMs,
  };
  const bought = await agent.buySlice(r.sliceUrl, { taskValueMsat: valueMsat, buyer: agent.name });
  recorder.purchase(purchaseRow(bought.result, { ...row, seller: r.name }));
  let spent = bought.result.paidMsat;
  let fees = bought.result.feeMsat;
  let calls = 0;
  if (bought.slice) {
    for (let i = 0; i < r.spec.sliceCalls; i++) {
      const used = await agent.call(r.originUrl);
      await used.response?.body?.cancel();
      recorder.purchase(purchaseRow(used, { ...row, seller: r.originUrl }));
      spent += used.paidMsat;
      fees += used.feeMsat;
      if (used.outcome === 'success') calls++;
    }
  }
  const done = calls === r.spec.sliceCalls;
  const endedAt = clock.now();
  recorder.task({
    taskId,
    buyer: agent.name,
    group: row.group,
    role: 'sub-agent',
    capability: r.spec.capability,
    calls: r.spec.sliceCalls,
    valueMsat,
    earnedMsat: Math.floor((valueMsat * calls) / r.spec.sliceCalls),
    done,
    spentMsat: spent,
    feesMsat: fees,
    startedAtMs: startedAt - startMs,
    endedAtMs: endedAt - startMs,
    stopReason: done ? 'done' : bought.slice ? 'not_delivered' : bought.result.outcome,
  });
  recorder.ended(endedAt - startMs);
}
