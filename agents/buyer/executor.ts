import { END, GraphRecursionError, START, type BaseChannel } from '@langchain/langgraph';
import { LabError } from '../../infra/errors.js';

/**
 * The direct executor: runs a compiled LangGraph `StateGraph` whose steps
 * are one node at a time (every node has at most one next node) without the
 * Pregel runtime. It reads everything from the graph's builder: the same
 * node functions, the same edges and routers, and the same channels, so
 * updates are folded by LangGraph's own reducers (each run starts from a
 * fresh copy of every channel). No checkpointer, callbacks, tracing or
 * per-step scheduling: a node visit is a function call. Markets run their
 * buyers this way; anything else runs the graph through LangGraph itself.
 * A graph it cannot run the same way (fan-out, waiting edges, deferred
 * nodes, subgraphs, `Send`, `Command`) is refused when it is built.
 *
 * @example
 * const run = directExecutor(buildBuyerGraph(deps));
 * const final = await run.invoke({ task }, { recursionLimit: 210 });
 */
export function directExecutor<I extends object, O extends object>(
  graph: Invocable<I, O> | { compile(): Invocable<I, O> },
): DirectExecutor<I, O> {
  // A compiled graph keeps its StateGraph as `builder`; an uncompiled StateGraph is its own.
  const plan = readPlan('builder' in graph ? graph.builder : graph);

  async function invoke(input: I, config: { recursionLimit?: number } = {}): Promise<O> {
    const limit = config.recursionLimit ?? 25;
    const channels = new Map<string, BaseChannel>();
    for (const [key, proto] of plan.channels) channels.set(key, proto.fromCheckpoint(undefined));
    write(channels, input as Record<string, unknown>, START);
    // The state is read once per update: the router after a node and the next node see the same channels.
    let state = read(channels);
    let next = await plan.next(START, state);
    await turns(PREGEL_TURNS.start);
    for (let visits = 0; next !== END; visits++) {
      if (visits >= limit)
        throw new GraphRecursionError(
          `Recursion limit of ${limit} reached without hitting a stop condition (direct executor).`,
        );
      const from = next;
      const seen = state;
      // Called from an async arrow and awaited, as LangGraph's RunnableCallable does: the same turns whether the node returns a value, a settled promise or a pending one.
      const update: unknown = await (async () => plan.nodes.get(from)!(seen))();
      write(channels, update, from);
      state = read(channels);
      next = await plan.next(from, state);
      await turns(pregelTurns(plan.routed(from), next === END));
    }
    return state as O;
  }

  return { invoke, nodes: [...plan.nodes.keys()] };
}

/**
 * Microtask turns LangGraph's Pregel loop (1.4) takes around a node visit,
 * less the direct executor's own: the first node starts 72 turns after
 * `invoke`; the next node 64 turns after an async node returns over a plain
 * edge, 79 over a router; `invoke` resolves 82 turns after the last node over
 * an edge, 107 over a router. Measured with a counting microtask loop
 * (test/buyer/executor.test.ts checks them against LangGraph itself); they do
 * not depend on the state's channels or the update's size. Waiting as long
 * keeps same-instant tasks interleaved exactly as under the runtime (tasks of
 * one agent share its budget, tokens and random stream, so their order
 * changes outcomes): that is what makes the two executors' outputs
 * byte-identical.
 */
const PREGEL_TURNS = { start: 70, edge: 59, edgeEnd: 76, routed: 73, routedEnd: 100 } as const;

function pregelTurns(routed: boolean, end: boolean): number {
  if (routed) return end ? PREGEL_TURNS.routedEnd : PREGEL_TURNS.routed;
  return end ? PREGEL_TURNS.edgeEnd : PREGEL_TURNS.edge;
}

const settled = Promise.resolve();

/**
 * Resolves after `n` microtask turns, exactly as `for (…n) await undefined`
 * inside an async function would (each turn queues the next from its own
 * job, and the caller's `await` takes the last one), but with one reaction
 * per turn instead of a resumed async frame and a fresh promise: a market
 * takes about 1,500 turns per task, most of its short-lived garbage.
 */
function turns(n: number): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    const turn = (): void => {
      if (--left <= 0) resolve();
      else void settled.then(turn);
    };
    if (left <= 0) resolve();
    else void settled.then(turn);
  });
}

/** A compiled graph, as far as the executor's types go. */
interface Invocable<I, O> {
  invoke(input: I, config?: { recursionLimit?: number }): Promise<O>;
}

/** A graph ready to run without Pregel (one it cannot run exactly as LangGraph would throws LabError('unsupported_graph')). */
export interface DirectExecutor<I, O> {
  invoke(input: I, config?: { recursionLimit?: number }): Promise<O>;
  /** The node names it runs, in the order the graph declared them. */
  readonly nodes: string[];
}

type NodeFn = (state: Record<string, unknown>) => unknown;
type Router = (state: Record<string, unknown>) => unknown;

interface Plan {
  channels: [string, BaseChannel][];
  nodes: Map<string, NodeFn>;
  /** The node after `from` given the state after its update (END to finish). */
  next(from: string, state: Record<string, unknown>): Promise<string>;
  /** True when a router (not a plain edge) leaves `from`. */
  routed(from: string): boolean;
}

/** What the executor needs of a StateGraph builder (LangGraph's own fields, checked at run time). */
interface BuilderShape {
  channels: Record<string, BaseChannel>;
  nodes: Record<string, { runnable: unknown; defer?: boolean; subgraphs?: unknown[] }>;
  edges: Set<[string, string]>;
  waitingEdges?: Set<unknown>;
  branches: Record<string, Record<string, { path: unknown; ends?: Record<string, string> }>>;
}

function readPlan(builder: unknown): Plan {
  const b = builder as BuilderShape | undefined;
  if (!b || typeof b !== 'object' || !b.channels || !b.nodes || !(b.edges instanceof Set) || !b.branches)
    throw new LabError(
      'unsupported_graph',
      'not a compiled StateGraph: its builder has no channels, nodes, edges and branches',
    );
  if (b.waitingEdges?.size)
    throw new LabError('unsupported_graph', 'waiting edges (several nodes into one) need the Pregel runtime');
  const nodes = new Map<string, NodeFn>();
  for (const [name, spec] of Object.entries(b.nodes)) {
    if (spec.defer)
      throw new LabError('unsupported_graph', `node "${name}" is deferred: that needs the Pregel runtime`);
    if (spec.subgraphs?.length) throw new LabError('unsupported_graph', `node "${name}" runs a subgraph`);
    nodes.set(name, callable(spec.runnable, `node "${name}"`));
  }
  const edges = new Map<string, string>();
  for (const [from, to] of b.edges) {
    if (edges.has(from)) throw new LabError('unsupported_graph', `"${from}" fans out to several nodes`);
    edges.set(from, to);
  }
  const routers = new Map<string, { route: Router; ends: Record<string, string> | undefined }>();
  for (const [from, branches] of Object.entries(b.branches)) {
    const list = Object.values(branches);
    if (list.length !== 1 || edges.has(from))
      throw new LabError('unsupported_graph', `"${from}" has several outgoing edges: that is a fan-out`);
    routers.set(from, { route: callable(list[0]!.path, `router after "${from}"`), ends: list[0]!.ends });
  }
  async function next(from: string, state: Record<string, unknown>): Promise<string> {
    const edge = edges.get(from);
    if (edge !== undefined) return edge;
    const r = routers.get(from);
    if (!r) return END;
    const out = await r.route(state);
    if (typeof out !== 'string')
      throw new LabError(
        'unsupported_graph',
        `the router after "${from}" returned ${describe(out)}, not one node name`,
      );
    const to = r.ends ? r.ends[out] : out;
    if (!to || (to !== END && !nodes.has(to)))
      throw new Error(`Branch condition returned unknown or null destination: "${out}" after "${from}"`);
    return to;
  }
  return { channels: Object.entries(b.channels), nodes, next, routed: (from) => routers.has(from) };
}

/** The plain function inside a LangGraph RunnableCallable (its `func`), or the runnable's `invoke`. */
function callable(runnable: unknown, what: string): (state: Record<string, unknown>) => unknown {
  const r = runnable as { func?: unknown; invoke?: unknown } | undefined;
  if (r && typeof r.func === 'function') return r.func as NodeFn;
  if (r && typeof r.invoke === 'function') {
    const invoke = r.invoke as (s: unknown) => unknown;
    return (s) => invoke.call(r, s);
  }
  throw new LabError('unsupported_graph', `${what} is neither a function nor a runnable`);
}

/** The state as LangGraph hands it to a node: every channel that holds a value. */
function read(channels: Map<string, BaseChannel>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, c] of channels) if (c.isAvailable()) out[key] = c.get();
  return out;
}

/** Folds one node's update into the channels through their reducers (keys outside the state are ignored, as LangGraph does). */
function write(channels: Map<string, BaseChannel>, update: unknown, node: string): void {
  if (update === undefined || update === null) return;
  if (typeof update !== 'object' || Array.isArray(update))
    throw new LabError(
      'unsupported_graph',
      `${node} returned ${describe(update)}: the direct executor takes partial-state objects only`,
    );
  if ('lg_name' in update && (update as { lg_name?: unknown }).lg_name === 'Command')
    throw new LabError('unsupported_graph', `${node} returned a Command: that needs the Pregel runtime`);
  const u = update as Record<string, unknown>;
  for (const key of Object.keys(u)) channels.get(key)?.update([u[key]]);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}
