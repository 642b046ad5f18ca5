import { AsyncLocalStorage } from 'node:async_hooks';
import type { Rng } from '../../infra/random.js';
import type { Logger } from '../../infra/log.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { createL402Client, type BuyerNegotiator, type L402Client } from '../../agents/l402/index.js';
import { allOf, budgetWindow, createPolicy, type PaymentPolicy } from '../../agents/policies/index.js';
import { createDecider, type DeciderSpec } from '../../agents/buyer/deciders/spec.js';
import type { Decider } from '../../agents/buyer/deciders/types.js';
import { checkQuoting, createBuyerAgent, type BuyerAgent } from '../../agents/buyer/agent.js';
import type { Task, TaskResult } from '../../agents/buyer/types.js';
import type { QuotingMode } from '../../agents/buyer/deps.js';
import type { BuyerSpec } from '../scenario/schema.js';
import type { Recorder } from '../metrics/recorder.js';
import type { PurchaseRole } from '../metrics/rows.js';
import type { World } from './world.js';
import type { BuyerNegotiatorSpec } from '../scenario/negotiation-schema.js';
import { buyerNegotiator } from './negotiators.js';
import type { MarketRegistry } from './registry.js';
import { ratingPoster } from './ratings.js';
import { stepEvents } from './step-events.js';
import { Redemptions } from './redemptions.js';
import type { OpenTasks } from './open-tasks.js';
import { recordTask } from './record-task.js';

/**
 * The task each of an agent's negotiations serves. An agent runs its tasks at once and its buyer
 * graph reports a negotiation without its task, so the task is the one whose run it happens in:
 * the recorder pairs the negotiation with that task's purchases (was the agreed price paid?).
 */
const negotiatingTask = new AsyncLocalStorage<string>();

/** One agent of the market that runs tasks (a buyer, a sub-agent, a reseller restocking, a seller buying upstream). */
export interface MarketAgent {
  name: string;
  group: string;
  role: PurchaseRole;
  node: LightningNode;
  client: L402Client;
  /** Runs one task through the agent's LangGraph graph and records its purchases and its outcome. */
  runTask(task: Task): Promise<TaskResult>;
}

export interface AgentSpec {
  name: string;
  group: string;
  role: PurchaseRole;
  node: LightningNode;
  decider: DeciderSpec;
  /** Bid with negotiating sellers (absent: pay posted prices). */
  negotiator?: BuyerNegotiatorSpec;
  /** A policy declaration (validated by the scenario checks). */
  policy: unknown;
  /** Total the agent may spend over the run (an all-time budget). */
  budgetMsat?: number;
  /** Post a proven rating of every seller it paid, after each task. */
  rateSellers?: boolean;
  /** Registry ordering of the sellers found (absent: the buyer's default, by price). */
  search?: BuyerSpec['search'];
  /** How quotes are collected (absent: all). */
  quoting?: BuyerSpec['quoting'];
  /** The tier kind asked of sellers that sell one (absent: each seller's default tier). */
  prefer?: BuyerSpec['prefer'];
}

/** What a market agent runs on. */
export interface MarketAgentDeps {
  world: World;
  rng: Rng;
  registry: MarketRegistry;
  recorder: Recorder;
  logger: Logger;
  startMs: number;
  searchLimit: number;
  /** Routing-fee ceiling for an amount (the scenario's network.payments.maxFee; default the client's). */
  maxFeeMsat?: ((amountMsat: number) => number) | undefined;
  /** What runs each agent's buyer graph (default 'direct': the same graph without the Pregel runtime). */
  executor?: 'langgraph' | 'direct';
  /** Where its running tasks are open, so a run that ends under one records it (`OpenTasks.flush`). */
  openTasks: OpenTasks;
}

/**
 * Builds an agent: its payment policy (the declared one, all-of a budget for
 * the run), its L402 client on its own node, its decider, and its buyer
 * graph. Every purchase of every task becomes a row; every task a task row,
 * a task the run ended under too, as it stood (stop reason `unfinished`).
 *
 * The decider, the negotiator and the quoting mode are made now: they check
 * the environment (an llm needs its API key) and the options, so a market
 * that cannot run stops at setup. The policy, the client and the graph are
 * made on the first task (or when `client` is read): a market builds
 * thousands of agents, most of which have no task yet. None of them draws,
 * reads the clock or registers anything when made.
 */
export function createMarketAgent(spec: AgentSpec, deps: MarketAgentDeps): MarketAgent {
  const { recorder, startMs } = deps;
  const decider = createDecider(spec.decider, { clock: deps.world.clock, rng: deps.rng.fork('decider') });
  const negotiator = buyerNegotiator(spec.negotiator);
  const quoting = spec.quoting && checkQuoting(quotingMode(spec.quoting));
  let parts: AgentParts | undefined;
  const built = () => (parts ??= agentParts(spec, deps, { decider, negotiator, quoting }));

  async function runTask(task: Task): Promise<TaskResult> {
    const { agent, rate, redemptions } = built();
    const record = (r: TaskResult) =>
      recordTask({ recorder, registry: deps.registry, redemptions }, spec, startMs, r, task);
    const ended: { result?: TaskResult } = {};
    // A run that ends under the task records it as it stands (or as it ended, if it was rating).
    const close = deps.openTasks.open((atMs) => record(ended.result ?? agent.unfinished(task.id, atMs)!));
    const result = (ended.result = await negotiatingTask.run(task.id, () => agent.runTask(task)));
    if (rate) await rate(result);
    if (close()) record(result);
    return result;
  }

  return {
    name: spec.name,
    group: spec.group,
    role: spec.role,
    node: spec.node,
    get client() {
      return built().client;
    },
    runTask,
  };
}

/** What an agent makes on its first task. */
interface AgentParts {
  client: L402Client;
  agent: BuyerAgent;
  rate: ((r: TaskResult) => Promise<void>) | undefined;
  /** Which of the agent's rows redeem a failed paid call (purchases.csv `paymentRedeemed`). */
  redemptions: Redemptions;
}

function agentParts(
  spec: AgentSpec,
  deps: MarketAgentDeps,
  made: { decider: Decider; negotiator: BuyerNegotiator | undefined; quoting: QuotingMode | undefined },
): AgentParts {
  const { world, recorder, startMs } = deps;
  const clock = world.clock;
  const policy = agentPolicy(spec, clock);
  const redemptions = new Redemptions();
  const steps = stepEvents(recorder, startMs);
  const client = createL402Client({
    node: spec.node,
    fetch: world.fetch,
    policy,
    clock,
    logger: deps.logger,
    buyer: spec.name,
    acceptUnsignedInvoices: world.acceptUnsignedInvoices,
    ...(deps.maxFeeMsat && { maxFeeMsat: deps.maxFeeMsat }),
    // The buyer graph tags each request with the task it serves (tasks of one agent overlap).
    onEvent: (e, taskId) => {
      redemptions.hear(e);
      steps?.(e, taskId);
    },
  });
  const agent = createBuyerAgent({
    name: spec.name,
    registry: deps.registry,
    client,
    decider: made.decider,
    policy,
    clock,
    logger: deps.logger,
    searchLimit: deps.searchLimit,
    executor: deps.executor ?? 'direct',
    negotiator: made.negotiator,
    onNegotiation: (r) =>
      recorder.negotiation(
        { group: spec.group, buyer: spec.name, taskId: negotiatingTask.getStore() ?? '' },
        r,
      ),
    ...(spec.search && { search: spec.search }),
    ...(made.quoting && { quoting: made.quoting }),
    ...(spec.prefer && { prefer: spec.prefer }),
  });
  const rate = spec.rateSellers ? ratingPoster(deps.registry, spec.node, deps.logger) : undefined;
  return { client, agent, rate, redemptions };
}

/** A scenario's quoting (seconds, optional count) as the buyer's mode (ms; no count cap when absent). */
function quotingMode(q: NonNullable<BuyerSpec['quoting']>): QuotingMode {
  if (q.mode === 'all') return q;
  return {
    mode: 'stream',
    timeoutMs: Math.round(q.timeoutSec * 1000),
    maxQuotes: q.maxQuotes ?? Number.MAX_SAFE_INTEGER,
  };
}

/**
 * The agent's payment policy: the declared one (default allow_all), all-of a
 * budget for the whole run when it has a budget. The budget is all-time (the
 * run is its window), so its ledger keeps a sum, not one entry per payment.
 */
function agentPolicy(spec: AgentSpec, clock: World['clock']): PaymentPolicy {
  const declared = createPolicy(spec.policy ?? { name: 'allow_all' }, { clock });
  if (spec.budgetMsat === undefined) return declared;
  return allOf([declared, budgetWindow({ limitMsat: spec.budgetMsat }, { clock })]);
}
