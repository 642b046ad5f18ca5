import { silentLogger, type Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { L402Client } from '../l402/index.js';
import type { PaymentPolicy } from '../policies/index.js';
import { sellerOutcome, type Decider, type SellerOutcome } from './deciders/index.js';
import { buyerGraphBuilder, type BuyerGraph } from './graph.js';
import { directExecutor } from './executor.js';
import type { BuyerDeps, QuotingMode } from './deps.js';
import type { ListingSource, Task, TaskResult } from './types.js';
import type { TierKind } from '../../services/registry/types.js';
import { LabError } from '../../infra/errors.js';
import { TASK_CREDITS, earnedMsat } from './credit.js';
import { TaskProgress } from './progress.js';
import type { BuyerStateT } from './state.js';

/** What a buyer agent is made of. */
export interface BuyerAgentOptions {
  name: string;
  registry: ListingSource;
  client: L402Client;
  decider: Decider;
  /** The policy for this agent's purchases (default: the client's). */
  policy?: PaymentPolicy;
  clock: Clock;
  logger?: Logger;
  /**
   * Where quotes come from: 'challenge' (default) asks every candidate for a
   * live 402; 'manifest' reads their `/.well-known/l402.json` and asks only
   * the chosen one for an invoice.
   */
  quoteFrom?: 'challenge' | 'manifest';
  /**
   * While a usable token is held for one of the candidates, use it and do not
   * ask the other sellers for invoices (default true). With false, every
   * candidate is quoted each time and the decider weighs the held token
   * (price 0) against fresh offers.
   */
  preferHeldTokens?: boolean;
  /** Listings fetched per search (default 10). */
  searchLimit?: number;
  /** How the registry orders what it finds (default `{ sort: 'price', ties: 'id' }`). */
  search?: Partial<BuyerDeps['search']>;
  /** How quotes are collected (default `{ mode: 'all' }`: wait for every seller asked). */
  quoting?: QuotingMode;
  /**
   * The tier kind this buyer buys when a seller sells several (`single |
   * bundle | pass`): each seller whose listing advertises a tier of this kind
   * is asked for the first such tier (`L402-Tier` on the quote), the others
   * for their default (first) tier. Absent: every seller's default tier.
   * A seller selling another tier than the one asked for is refused
   * (`wrong_tier`, see chosen-tier.ts). Deciders compare offers of different
   * tiers per task call served.
   */
  prefer?: TierKind;
  /** Keep response bodies in `TaskResult.outputs` (default false). */
  keepOutputs?: boolean;
  /** Graph steps one task may take before it is stopped (default 200). */
  maxSteps?: number;
  delegate?: BuyerDeps['delegate'];
  /**
   * What runs the graph: 'langgraph' (default, the Pregel runtime) or
   * 'direct' (the same nodes, edges and routers called in turn, see
   * executor.ts; markets use it for speed, with identical results).
   */
  executor?: 'langgraph' | 'direct';
  /** Bid with sellers that negotiate (see agents/negotiation); absent: pay posted prices. */
  negotiator?: BuyerDeps['negotiator'];
  onNegotiation?: BuyerDeps['onNegotiation'];
}

/** A buyer agent: the compiled graph and `runTask`, which runs it once per task. */
export interface BuyerAgent {
  readonly name: string;
  readonly graph: BuyerGraph;
  runTask(task: Task): Promise<TaskResult & { outputs: string[] }>;
  /**
   * What task `taskId`, still running, did up to `atMs` (clock time), for a run that ends under
   * it: its purchases so far, stopReason `unfinished` (see progress.ts); undefined when no task
   * of that id is running.
   */
  unfinished(taskId: string, atMs: number): TaskResult | undefined;
}

/**
 * Creates a LangGraph buyer: discover sellers in the registry, quote them
 * (live 402 challenges, invoices checked), decide, authorize under the
 * payment policy, pay, consume, and loop until the task's calls are done,
 * reusing tokens and falling back to the next-best quote when a seller fails.
 *
 * @example
 * const agent = createBuyerAgent({ name: 'b1', registry, client, decider: createDecider('cheapest', { clock }), clock });
 * const result = await agent.runTask({ id: 't1', capability: 'weather', valueMsat: 50_000, calls: 3 });
 */
export function createBuyerAgent(o: BuyerAgentOptions): BuyerAgent {
  const maxSteps = o.maxSteps ?? 200;
  const progress = new TaskProgress(o.clock);
  const deps: BuyerDeps = {
    name: o.name,
    registry: o.registry,
    engine: o.client.engine,
    decider: o.decider,
    policy: o.policy,
    clock: o.clock,
    logger: o.logger ?? silentLogger,
    quoteFrom: o.quoteFrom ?? 'challenge',
    preferHeldTokens: o.preferHeldTokens ?? true,
    searchLimit: o.searchLimit ?? 10,
    search: { sort: o.search?.sort ?? 'price', ties: o.search?.ties ?? 'id' },
    quoting: checkQuoting(o.quoting ?? { mode: 'all' }),
    ...(o.prefer !== undefined && { prefer: checkPrefer(o.prefer) }),
    keepOutputs: o.keepOutputs ?? false,
    delegate: o.delegate,
    negotiator: o.negotiator,
    onNegotiation: o.onNegotiation,
    onNode: (node, s) => progress.enter(node, s),
  };
  // The graph is built on the first task or read (options are checked above, now): a market builds
  // thousands of agents, most of which have no task yet. Compiled only when something runs or reads
  // it through LangGraph: the direct executor reads the builder.
  let builder: ReturnType<typeof buyerGraphBuilder> | undefined;
  const built = () => (builder ??= buyerGraphBuilder(deps, { maxSteps }));
  let compiled: BuyerGraph | undefined;
  const graph = () => (compiled ??= built().compile());
  const runner = () => (o.executor === 'direct' ? directExecutor(built()) : graph());
  let run: ReturnType<typeof runner> | undefined;

  async function runTask(task: Task) {
    checkTask(task);
    const startedAt = o.clock.now();
    run ??= runner();
    progress.start(task, startedAt);
    let s: BuyerStateT;
    try {
      s = await run.invoke({ task }, { recursionLimit: maxSteps + 10 });
    } finally {
      progress.end(task.id);
    }
    const done = s.callsDone >= task.calls;
    // A learning decider hears how each seller of the task did (the seller's doing only).
    o.decider.learn?.(
      s.purchases.flatMap((p): SellerOutcome[] => {
        const seen = sellerOutcome(p.listingId, p.outcome);
        return seen ? [seen] : [];
      }),
    );
    return {
      taskId: task.id,
      done,
      stopReason: done ? 'done' : (s.stop ?? 'step_limit'),
      calls: s.callsDone,
      purchases: s.purchases,
      spentMsat: s.spentMsat,
      feesMsat: s.feesMsat,
      earnedMsat: earnedMsat(task, s.callsDone),
      decisions: s.decisions,
      delegations: s.delegations,
      steps: s.steps,
      outputs: s.outputs,
      startedAt,
      endedAt: o.clock.now(),
    } satisfies TaskResult & { outputs: string[] };
  }

  return {
    name: o.name,
    get graph() {
      return graph();
    },
    runTask,
    unfinished: (taskId, atMs) => progress.unfinished(taskId, atMs),
  };
}

/** A stream needs a positive timeout and count: a bad one is the caller's error, named. */
export function checkQuoting(q: QuotingMode): QuotingMode {
  if (q.mode === 'all') return q;
  if (q.mode !== 'stream')
    throw new LabError(
      'invalid_quoting',
      `quoting.mode must be all or stream, got ${String((q as { mode: unknown }).mode)}`,
    );
  if (!Number.isFinite(q.timeoutMs) || q.timeoutMs <= 0)
    throw new LabError(
      'invalid_quoting',
      `quoting.timeoutMs must be a positive number of ms, got ${q.timeoutMs}`,
    );
  if (!Number.isSafeInteger(q.maxQuotes) || q.maxQuotes < 1)
    throw new LabError('invalid_quoting', `quoting.maxQuotes must be a positive integer, got ${q.maxQuotes}`);
  return q;
}

/** The tier kinds a buyer may prefer. */
const TIER_KINDS: readonly TierKind[] = ['single', 'bundle', 'pass'];

/** A preference for a tier kind sellers do not sell is the caller's error, named. */
function checkPrefer(kind: TierKind): TierKind {
  if (TIER_KINDS.includes(kind)) return kind;
  throw new LabError('invalid_prefer', `prefer must be single, bundle or pass, got ${JSON.stringify(kind)}`);
}

function checkTask(t: Task): void {
  const bad = (what: string) => {
    throw new LabError('invalid_task', `task ${JSON.stringify(t?.id)}: ${what}`);
  };
  if (!t || typeof t !== 'object') bad('a task must be an object');
  if (typeof t.id !== 'string' || !t.id) bad('id must be a non-empty string');
  if (typeof t.capability !== 'string' || !t.capability) bad('capability must be a non-empty string');
  if (!Number.isSafeInteger(t.valueMsat) || t.valueMsat < 0)
    bad(`valueMsat must be a non-negative integer msat, got ${t.valueMsat}`);
  if (!Number.isSafeInteger(t.calls) || t.calls < 1) bad(`calls must be a positive integer, got ${t.calls}`);
  if (t.credit !== undefined && !TASK_CREDITS.includes(t.credit))
    bad(`credit must be ${TASK_CREDITS.join(' or ')}, got ${JSON.stringify(t.credit)}`);
  if (t.path !== undefined && (typeof t.path !== 'string' || !t.path.startsWith('/')))
    bad('path must start with /');
}
