import { Annotation, END, START, StateGraph } from '@langchain/langgraph';

/** A LangGraph graph of `n` trivial nodes in a line: bare invokes/s is the runtime's own floor for a task of n node visits. */
export function trivialGraph(n: number) {
  const S = Annotation.Root({ n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });
  const names = Array.from({ length: n }, (_, i) => `n${i}`);
  // The node names are generated, so the nodes go in as one list of [name, action] pairs (node names typed as string).
  const g = new StateGraph(S).addNode(
    names.map((name): [string, () => Promise<{ n: number }>] => [name, async () => ({ n: 1 })]),
  );
  [START, ...names].forEach((from, i) => g.addEdge(from, names[i] ?? END));
  return g.compile();
}
