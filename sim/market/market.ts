import { silentLogger, type Logger } from '../../infra/log.js';
import type { Rng } from '../../infra/random.js';
import type { Engine } from '../engine/engine.js';
import type { Recorder } from '../metrics/recorder.js';
import type { Scenario } from '../scenario/schema.js';
import { instanceNames } from '../scenario/checks.js';
import { defaultBalanceMsat } from '../scenario/buyer-schema.js';
import { feeCeiling } from '../scenario/network-schema.js';
import { createMarketAgent, type MarketAgent, type MarketAgentDeps } from './agent.js';
import { startArrivals } from './buyers.js';
import { buyUpstream, wrapSeller, type SellerControls } from './chain.js';
import { scheduleFaults } from './faults.js';
import { openRegistry, type MarketRegistry } from './registry.js';
import { buildResellers } from './resale.js';
import { startRepricing } from './repricing.js';
import { RevenueTracker, buildSellers, type MarketSeller } from './sellers.js';
import { OpenTasks } from './open-tasks.js';
import type { World } from './world.js';

/** A buyer agent and the scenario entry that says when its tasks arrive and what they are. */
interface MarketBuyer {
  agent: MarketAgent;
  spec: Scenario['buyers'][number];
}

/** A built market, ready to start on an engine. */
export interface Market {
  sellers: MarketSeller[];
  buyers: MarketAgent[];
  /** Money moved by faults (drains), per node; the ledger subtracts it. */
  transfers: Map<string, number>;
  /** Where sellers are listed (a seller that changes its terms updates its listing here). */
  registry: MarketRegistry;
  /** Counts seller revenue from settled invoices (a rebuilt seller reports through it too). */
  revenue: RevenueTracker;
  /** The tasks still running: the run's end records them (`flush`). */
  openTasks: OpenTasks;
  /** Starts arrivals and schedules faults. */
  start(engine: Engine): void;
}

/**
 * Builds the scenario's market in a world: the registry, every seller (with
 * its paywall, its listing signed by its node, and, for intermediaries, its
 * own buying agent), every buyer (policy, L402 client, decider, LangGraph
 * graph), the resellers and their sub-agents. Nothing runs until `start`.
 */
export async function buildMarket(
  scenario: Scenario,
  world: World,
  recorder: Recorder,
  { logger = silentLogger, executor }: { logger?: Logger; executor?: MarketAgentDeps['executor'] } = {},
): Promise<Market> {
  const clock = world.clock;
  const startMs = clock.now();
  const durationMs = Math.round(scenario.durationSec * 1000);
  const searchLimit = scenario.registry.searchLimit;
  const registry = await openRegistry(world, clock, searchLimit, logger, world.rng.fork('registry'));
  const revenue = new RevenueTracker(recorder);
  const controls = new Map<string, SellerControls>();
  const maxFeeMsat = feeCeiling(scenario.network.payments);
  const openTasks = new OpenTasks();
  const agentDeps = (rng = world.rng): MarketAgentDeps => ({
    world,
    rng,
    registry,
    recorder,
    logger,
    startMs,
    searchLimit,
    maxFeeMsat,
    executor,
    openTasks,
  });
  let upstreamTasks = 0;

  for (const r of world.ledgerNodes()) if (r.role === 'router') recorder.entity('router');

  const sellerRng = (name: string) => world.rng.fork(`market-seller/${name}`);
  const sellers = await buildSellers(scenario.sellers, world, world.rng, revenue, recorder, logger, {
    beforeWork: (s) => {
      if (!s.spec.upstream.length) return undefined;
      const rng = sellerRng(s.name);
      const upstream = createMarketAgent(
        {
          name: s.name,
          group: `${s.group} (upstream)`,
          role: 'seller',
          node: s.node,
          decider: { name: 'cheapest' },
          policy: s.spec.policy ?? { name: 'allow_all' },
        },
        agentDeps(rng.fork('agent')),
      );
      return buyUpstream(s.name, s.spec, upstream, rng, () => `${s.name}/up-${upstreamTasks++}`);
    },
    wrap: (s) => {
      const c: SellerControls = { group: s.group, failureRate: 0 };
      controls.set(s.name, c);
      return wrapSeller(s, c, sellerRng(s.name));
    },
  });
  for (const s of sellers) await registry.register(s.listing, s.node);

  const buyers = await buildBuyers(scenario, world, recorder, agentDeps);

  const resale = await buildResellers(scenario, world, registry, {
    recorder,
    revenue,
    logger,
    startMs,
    openTasks,
  });
  const transfers = new Map<string, number>();

  return {
    sellers,
    buyers: buyers.map((b) => b.agent),
    transfers,
    registry,
    revenue,
    openTasks,
    start(engine) {
      for (const { agent, spec } of buyers)
        startArrivals(
          engine,
          agent,
          spec.arrivals,
          spec.tasks,
          world.rng.fork(`buyer/${agent.name}`),
          durationMs,
        );
      resale.start(engine, durationMs);
      scheduleFaults(scenario.faults, engine, world, recorder, controls, transfers);
      startRepricing(engine, sellers, registry, recorder, durationMs);
    },
  };
}

/** Every buyer instance of the scenario: its funded node and its agent, each with its own seeded stream. */
async function buildBuyers(
  scenario: Scenario,
  world: World,
  recorder: Recorder,
  agentDeps: (rng: Rng) => MarketAgentDeps,
): Promise<MarketBuyer[]> {
  const buyers: MarketBuyer[] = [];
  for (const spec of scenario.buyers) {
    for (const name of instanceNames(spec.name, spec.count)) {
      const funding = spec.balanceMsat ?? defaultBalanceMsat(spec.budgetMsat);
      const node = await world.node(name, 'buyer', funding);
      recorder.entity('buyer');
      const agent = createMarketAgent(
        {
          name,
          group: spec.name,
          role: 'buyer',
          node,
          decider: spec.decider,
          ...(spec.negotiator && { negotiator: spec.negotiator }),
          policy: spec.policy,
          budgetMsat: spec.budgetMsat,
          ...(spec.rateSellers && { rateSellers: true }),
          ...(spec.search && { search: spec.search }),
          ...(spec.quoting && { quoting: spec.quoting }),
          ...(spec.prefer && { prefer: spec.prefer }),
        },
        agentDeps(world.rng.fork(`buyer/${name}`)),
      );
      buyers.push({ agent, spec });
    }
  }
  return buyers;
}
