import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { summaryJson } from '../../sim/report/write-run.js';

/** One run of a shipped scenario at its own seed, every output kept in memory. */
async function outputs(name: string, executor: 'langgraph' | 'direct') {
  const scenario = loadScenario(name, { checks: scenarioChecks });
  const sinks = { purchases: new MemorySink(), tasks: new MemorySink(), events: new MemorySink() };
  const { summary } = await runScenario(scenario, { sinks, executor });
  return {
    summary: summaryJson(summary),
    purchases: sinks.purchases.text(),
    tasks: sinks.tasks.text(),
    events: sinks.events.text(),
  };
}

// Every scenario in sim/scenarios, whoever added it: the market's direct executor must not change a byte.
describe.each(listScenarios())('shipped scenario %s at its default seed', (name) => {
  it('gives byte-identical summary.json, purchases.csv, tasks.csv and events.jsonl through LangGraph and through the direct executor', async () => {
    const viaLangGraph = await outputs(name, 'langgraph');
    const direct = await outputs(name, 'direct');
    expect(direct.summary).toBe(viaLangGraph.summary);
    expect(direct.purchases).toBe(viaLangGraph.purchases);
    expect(direct.tasks).toBe(viaLangGraph.tasks);
    expect(direct.events).toBe(viaLangGraph.events);
  }, 1_800_000);
});
