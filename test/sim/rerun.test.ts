import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { MemorySink } from '../../sim/metrics/sink.js';

/** One run of a shipped scenario at its own seed on the market's default executor, events.jsonl and purchases.csv kept in memory. */
async function run(name: string) {
  const sinks = { purchases: new MemorySink(), events: new MemorySink() };
  await runScenario(loadScenario(name, { checks: scenarioChecks }), { sinks });
  return { events: sinks.events.text(), purchases: sinks.purchases.text() };
}

// Every scenario in sim/scenarios, whoever added it: a seeded run repeats to the byte.
describe.each(listScenarios())('shipped scenario %s run twice at its default seed', (name) => {
  it('gives byte-identical events.jsonl and purchases.csv', async () => {
    const first = await run(name);
    const second = await run(name);
    // Not two empty files: the run recorded events.
    expect(first.events.startsWith('{"t":')).toBe(true);
    expect(second.events).toBe(first.events);
    expect(second.purchases).toBe(first.purchases);
  }, 900_000);
});
