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
