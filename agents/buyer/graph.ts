import { END, START, StateGraph } from '@langchain/langgraph';
import type { Clock } from '../../infra/time/clock.js';
import { tokenUsable } from '../l402/index.js';
import type { BuyerDeps } from './deps.js';
import { buyerNodes } from './nodes.js';
import { searchAgain } from './refused-sellers.js';
import { BuyerState, type BuyerStateT, type BuyerUpdate } from './state.js';

/** Routers: named functions of the state returning the next node's name. */

function afterDiscover(s: BuyerStateT): 'quote' | typeof END {
  return s.stop ? END : 'quote';
}

/** No offer left: search again past the sellers refused for misadvertising (`searchAgain`), or end. */
function afterQuote(s: BuyerStateT): 'decide' | 'discover' | typeof END {
  if (!s.stop) return 'decide';
  return searchAgain(s) ? 'discover' : END;
}

function afterDecide(s: BuyerStateT): 'authorize' | typeof END {
  return s.stop ? END : 'authorize';
}

function afterAuthorize(s: BuyerStateT): 'pay' | 'consume' | 'evaluate' {
  const q = s.chosen ? s.offers[s.chosen] : undefined;
  if (q?.source === 'token') return 'consume';
  return s.grant ? 'pay' : 'evaluate';
}

function afterPay(s: BuyerStateT): 'consume' | 'evaluate' {
  const q = s.chosen ? s.offers[s.chosen] : undefined;
  return q?.source === 'token' ? 'consume' : 'evaluate';
}

/**
 * After evaluate: finished, reuse the token, pick another offer, or re-quote. A seller whose
 * purchase failed (denied, unpaid, token refused) is excluded, so a chosen offer still live here
 * is a held token.
 */
function afterEvaluate(
  maxSteps: number,
  clock: Clock,
): (s: BuyerStateT) => 'delegate' | 'consume' | 'decide' | 'quote' | typeof END {
  return function afterEvaluate(s) {
    if (s.stop === 'done') return s.task.delegate ? 'delegate' : END;
    if (s.stop || s.steps.length >= maxSteps) return END;
    const q = s.chosen ? s.offers[s.chosen] : undefined;
    const live = q && !s.excluded.includes(q.listing.id);
    if (live && q.source === 'token') return tokenUsable(q.token!, clock.now()) ? 'consume' : 'quote';
    const others = Object.values(s.offers).some((x) => !s.excluded.includes(x.listing.id));
    return others ? 'decide' : 'quote';
  };
}

/**
 * Builds and compiles the buyer graph. One run covers a whole task; the
 * mechanics (HTTP, invoice checks, payment) are plain functions in
 * agents/l402 that the nodes call.
 */
export function buildBuyerGraph(deps: BuyerDeps, opts: { maxSteps?: number } = {}) {
  return buyerGraphBuilder(deps, opts).compile();
}

/**
 * The buyer graph before it is compiled: all the direct executor reads (its
 * nodes, edges, routers and channels), so a market of many buyers does not
 * pay LangGraph's compile for each.
 */
export function buyerGraphBuilder(deps: BuyerDeps, { maxSteps = 200 }: { maxSteps?: number } = {}) {
  const n = watched(buyerNodes(deps), deps.onNode);
  /*
   *  START → discover → quote → decide → authorize ─┬─→ pay ──→ consume → evaluate ─→ END
   *             │         │       │          │       │    │                 │ │ │ │
   *             └→ END    └→ END  └→ END     │       └────┼──→ (held token) ┘ │ │ └→ delegate → END
   *                                          └→ evaluate (denied)  (failed) ┘  │ └→ consume   (reuse the token)
   *                                                                             └→ decide | quote (next-best quote, or quote again)
   *  quote → discover: no offer left after sellers were refused for misadvertising (search again).
   */
  return new StateGraph(BuyerState)
    .addNode('discover', n.discover)
    .addNode('quote', n.quote)
    .addNode('decide', n.decide)
    .addNode('authorize', n.authorize)
    .addNode('pay', n.pay)
    .addNode('consume', n.consume)
    .addNode('evaluate', n.evaluate)
    .addNode('delegate', n.delegate)
    .addEdge(START, 'discover')
    .addConditionalEdges('discover', afterDiscover, ['quote', END])
    .addConditionalEdges('quote', afterQuote, ['decide', 'discover', END])
    .addConditionalEdges('decide', afterDecide, ['authorize', END])
    .addConditionalEdges('authorize', afterAuthorize, ['pay', 'consume', 'evaluate'])
    .addConditionalEdges('pay', afterPay, ['consume', 'evaluate'])
    .addEdge('consume', 'evaluate')
    .addConditionalEdges('evaluate', afterEvaluate(maxSteps, deps.clock), [
      'delegate',
      'consume',
      'decide',
      'quote',
      END,
    ])
    .addEdge('delegate', END);
}

/**
 * The nodes, each telling `onNode` its name and the state it starts from before it runs (the
 * same call otherwise: no await added, so the graph's steps interleave as they did).
 */
function watched<N extends Record<string, (s: BuyerStateT) => Promise<BuyerUpdate>>>(
  nodes: N,
  onNode: BuyerDeps['onNode'],
): N {
  if (!onNode) return nodes;
  const out: Record<string, (s: BuyerStateT) => Promise<BuyerUpdate>> = {};
  for (const [name, node] of Object.entries(nodes))
    out[name] = (s) => {
      onNode(name, s);
      return node(s);
    };
  return out as N;
}

/** The compiled buyer graph. */
export type BuyerGraph = ReturnType<typeof buildBuyerGraph>;
