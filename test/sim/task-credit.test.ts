import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../sim/scenario/load.js';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { parseTasksCsv } from '../../sim/metrics/csv.js';

/**
 * One buyer, one 2,000 msat seller, tasks of 3 calls worth 10,000 msat every
 * 20 s, and a 10,000 msat budget: the first task finishes (6,612 msat with
 * fees), the second pays one call (2,204 msat) and then cannot reserve the
 * next call's price + fee limit (3,000 msat), so it ends unfinished.
 */
const scenario = (credit: string) => `
name: credit
seed: 1
durationSec: 60
drainSec: 30
network:
  topology: { kind: ring, routers: 2 }
  hopLatency: { meanMs: 10, sdMs: 0 }
sellers:
  - { name: feed, archetype: data-feed, quality: 0.9, price: { kind: fixed, msat: 2000 } }
buyers:
  - name: b
    policy: { name: allow_all }
    budgetMsat: 10000
    arrivals: { process: fixed, everySec: 20 }
    tasks:
      - capability: anomalies:read
        calls: 3
        value: { dist: fixed, msat: 10000 }
        ${credit}
`;

async function run(credit: string) {
  const tasks = new MemorySink();
  const s = loadScenarioText(scenario(credit), { checks: scenarioChecks });
  const { summary } = await runScenario(s, { seed: 1, sinks: { tasks } });
  const rows = parseTasksCsv(tasks.text()).map((t) => ({
    taskId: t.taskId,
    done: t.done,
    earnedMsat: t.earnedMsat,
    spentMsat: t.spentMsat,
    feesMsat: t.feesMsat,
    stopReason: t.stopReason,
  }));
  const w = summary.welfare;
  return {
    csv: tasks.text(),
    rows,
    welfare: [w.valueMsat, w.costMsat, w.buyerSurplusMsat, w.buyerSurplusPerTaskMsat, w.totalMsat],
  };
}

describe('task credit', () => {
  it('per_call credits the unfinished task 3,333 msat (1 of 3 calls of 10,000), all_or_nothing 0; the finished task earns 10,000 under both', async () => {
    const perCall = await run('credit: per_call');
    const allOrNothing = await run('credit: all_or_nothing');
    const done = {
      taskId: 'b-0/0',
      done: true,
      earnedMsat: 10_000,
      spentMsat: 6000,
      feesMsat: 612,
      stopReason: 'done',
    };
    const unfinished = {
      taskId: 'b-0/1',
      done: false,
      spentMsat: 2000,
      feesMsat: 204,
      stopReason: 'budget_exhausted',
    };
    expect(perCall.rows).toEqual([done, { ...unfinished, earnedMsat: 3333 }]);
    expect(allOrNothing.rows).toEqual([done, { ...unfinished, earnedMsat: 0 }]);
    // welfare: valueMsat, costMsat, buyerSurplusMsat, buyerSurplusPerTaskMsat, totalMsat
    expect(perCall.welfare).toEqual([13_333, 8816, 4517, 2258.5, 13_333]);
    expect(allOrNothing.welfare).toEqual([10_000, 8816, 1184, 592, 10_000]);
  });

  it('a task type without credit is credited per call: the same tasks.csv as credit: per_call', async () => {
    expect((await run('')).csv).toBe((await run('credit: per_call')).csv);
  });

  it('an unknown credit rule is refused naming the field and the two rules', () => {
    let caught: unknown;
    try {
      loadScenarioText(scenario('credit: all'), { checks: scenarioChecks });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScenarioError);
    expect((caught as ScenarioError).issues).toEqual([
      {
        path: 'buyers[0].tasks[0].credit',
        message: 'expected per_call | all_or_nothing, got "all" (did you mean "all_or_nothing"?)',
      },
    ]);
  });
});
