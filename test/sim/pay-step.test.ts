import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';

/**
 * A purchases.csv pay step is the Lightning payment itself, as events.jsonl
 * records it: a buyer that first waited for another task's purchase of the
 * same resource has that wait in its row's total, not in its pay step.
 */
describe('quickstart seed 1: pay steps', { timeout: 120_000 }, () => {
  it('every buyer row with a pay step starts and lasts exactly as its pay event; the waits stay in the row totals', async () => {
    const purchases = new MemorySink();
    const events = new MemorySink();
    const scenario = loadScenario('quickstart', { checks: scenarioChecks });
    const { summary } = await runScenario(scenario, {
      seed: 1,
      sinks: { purchases, events, tasks: new MemorySink() },
    });
    const rows = parsePurchasesCsv(purchases.text()).filter((r) => r.role === 'buyer' && r.steps.pay);
    const payEvents = events
      .text()
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as { type: string; step?: string; buyer: string; atMs: number; durationMs: number },
      )
      .filter((e) => e.type === 'step' && e.step === 'pay');
    const key = (buyer: string, atMs: number, ms: number) => `${buyer} ${atMs} ${ms}`;
    expect(rows.map((r) => key(r.buyer, r.steps.pay!.atMs, r.steps.pay!.ms)).sort()).toEqual(
      payEvents.map((e) => key(e.buyer, e.atMs, e.durationMs)).sort(),
    );
    // The five rows that waited for another task's payment before paying.
    const waited = rows.filter(
      (r) => r.steps.authorize && r.steps.pay!.atMs > r.steps.authorize.atMs + r.steps.authorize.ms,
    );
    const wait = (r: (typeof rows)[number]) =>
      r.steps.pay!.atMs - (r.steps.authorize!.atMs + r.steps.authorize!.ms);
    expect(waited.map(wait)).toEqual([41, 52, 74, 51, 56]);
    // Each of them spans its wait: from before authorizing to after paying.
    expect(
      waited.every(
        (r) => r.startMs <= r.steps.authorize!.atMs && r.endMs >= r.steps.pay!.atMs + r.steps.pay!.ms,
      ),
    ).toBe(true);
    expect(summary.latency.steps.pay).toMatchObject({ count: 111, max: 87 });
  });
});
