import { describe, expect, it } from 'vitest';
import { Annotation, END, GraphRecursionError, START, StateGraph } from '@langchain/langgraph';
import { directExecutor } from '../../agents/buyer/executor.js';
import { LabError } from '../../infra/errors.js';

const State = Annotation.Root({
  n: Annotation<number>(),
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  total: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
  last: Annotation<string | undefined>({ reducer: (_a, b) => b, default: () => undefined }),
});
type S = typeof State.State;

function afterCount(s: S): 'count' | 'finish' {
  return s.total < s.n ? 'count' : 'finish';
}

/** A loop with a router, reducers of three kinds, a plain edge and an update that clears a value. */
function loopGraph() {
  return new StateGraph(State)
    .addNode('start', async (s: S) => ({ log: [`start ${s.n}`], last: 'start' }))
    .addNode('count', async (s: S) => ({ total: 1, log: [`count ${s.total}`], last: undefined }))
    .addNode('finish', (s: S) => ({ log: [`finish ${s.total}`], last: 'finish', ignored: 1 }))
    .addEdge(START, 'start')
    .addEdge('start', 'count')
    .addConditionalEdges('count', afterCount, ['count', 'finish'])
    .addEdge('finish', END)
    .compile();
}

/**
 * The order in which three invokes started at once visit their nodes, each
 * stamped with the turn of a counting microtask loop: nodes wait a number
 * of turns that depends on the invoke, so the three drift apart and cross.
 */
async function interleaving(executor: 'langgraph' | 'direct'): Promise<string[]> {
  const seen: string[] = [];
  let turn = 0;
  let ticking = true;
  void (async () => {
    while (ticking) {
      turn++;
      await undefined;
    }
  })();
  const pause = async (n: number) => {
    for (let i = 0; i < n; i++) await undefined;
  };
  const graph = new StateGraph(State)
    .addNode('start', async (s: S) => {
      await pause(3 * s.n);
      seen.push(`${s.n} start @${turn}`);
      return { log: ['start'] };
    })
    .addNode('count', (s: S) => {
      seen.push(`${s.n} count ${s.total} @${turn}`);
      return { total: 1 };
    })
    .addNode('finish', async (s: S) => {
      await pause(7 * s.n);
      seen.push(`${s.n} finish @${turn}`);
      return { last: 'finish' };
    })
    .addEdge(START, 'start')
    .addEdge('start', 'count')
    .addConditionalEdges('count', afterCount, ['count', 'finish'])
    .addEdge('finish', END)
    .compile();
  const run = executor === 'direct' ? directExecutor(graph) : graph;
  await Promise.all([2, 3, 4].map((n) => run.invoke({ n }).then(() => seen.push(`${n} done @${turn}`))));
  ticking = false;
  return seen;
}

describe('directExecutor', () => {
  it('ends in the same state as LangGraph: reducers fold the updates, routers pick the loop and the exit', async () => {
    const graph = loopGraph();
    const viaLangGraph = await graph.invoke({ n: 3 });
    const direct = await directExecutor(graph).invoke({ n: 3 });
    expect(direct).toEqual(viaLangGraph);
    expect(direct).toEqual({
      n: 3,
      total: 3,
      last: 'finish',
      log: ['start 3', 'count 0', 'count 1', 'count 2', 'finish 3'],
    });
  });

  it('interleaves three invokes started together exactly as LangGraph does: the same microtask turn for every node visit and every return', async () => {
    const viaLangGraph = await interleaving('langgraph');
    const direct = await interleaving('direct');
    expect(direct).toEqual(viaLangGraph);
    // Under LangGraph (1.4): the three cross (2 finishes while 4 still counts).
    expect(viaLangGraph).toEqual([
      '2 start @80',
      '3 start @83',
      '4 start @86',
      '2 count 0 @143',
      '3 count 0 @146',
      '4 count 0 @149',
      '2 count 1 @220',
      '3 count 1 @223',
      '4 count 1 @226',
      '3 count 2 @300',
      '4 count 2 @303',
      '2 finish @312',
      '4 count 3 @380',
      '2 done @393',
      '3 finish @399',
      '3 done @480',
      '4 finish @486',
      '4 done @567',
    ]);
  });

  it('lists the nodes it runs, read from the graph', () => {
    expect(directExecutor(loopGraph()).nodes).toEqual(['start', 'count', 'finish']);
  });

  it('stops a loop at the recursion limit with GraphRecursionError, as LangGraph does', async () => {
    const graph = loopGraph();
    await expect(graph.invoke({ n: 50 }, { recursionLimit: 10 })).rejects.toBeInstanceOf(GraphRecursionError);
    await expect(directExecutor(graph).invoke({ n: 50 }, { recursionLimit: 10 })).rejects.toBeInstanceOf(
      GraphRecursionError,
    );
  });

  it('refuses a graph that fans out to two nodes at once, naming the node', () => {
    const fanOut = new StateGraph(State)
      .addNode('a', () => ({ total: 1 }))
      .addNode('b', () => ({ total: 1 }))
      .addNode('c', () => ({ total: 1 }))
      .addEdge(START, 'a')
      .addEdge('a', 'b')
      .addEdge('a', 'c')
      .compile();
    expect(() => directExecutor(fanOut)).toThrow(LabError);
    expect(() => directExecutor(fanOut)).toThrow(expect.objectContaining({ code: 'unsupported_graph' }));
    expect(() => directExecutor(fanOut)).toThrow('"a" fans out to several nodes');
  });

  it('refuses something that is not a compiled StateGraph', () => {
    expect(() => directExecutor({ invoke: async () => ({}) })).toThrow(
      'not a compiled StateGraph: its builder has no channels, nodes, edges and branches',
    );
  });
});
