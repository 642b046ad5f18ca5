import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';

/** resale, seed 1, with every output kept in memory. */
async function resale(overrides: Record<string, unknown> = {}) {
  const sinks = { purchases: new MemorySink(), tasks: new MemorySink(), events: new MemorySink() };
  const scenario = loadScenario('resale', { overrides, checks: scenarioChecks });
  const { summary } = await runScenario(scenario, { seed: 1, sinks });
  const events = sinks.events
    .text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { summary, events, rows: parsePurchasesCsv(sinks.purchases.text()) };
}

describe(
  'resale seed 1: events.jsonl and purchases.csv name every payer and seller',
  { timeout: 120_000 },
  () => {
    it('every payment that went through has its pay event, resellers’ and sub-agents’ too: 184 events, 778,000 msat, each with its task', async () => {
      const { summary: s, events, rows } = await resale();
      const paid = events.filter((e) => e.type === 'step' && e.step === 'pay' && e.ok === true);
      const role = (buyer: unknown) => rows.find((r) => r.buyer === buyer)!.role;
      const byRole: Record<string, number> = {};
      for (const e of paid) byRole[role(e.buyer)] = (byRole[role(e.buyer)] ?? 0) + 1;

      expect(byRole).toEqual({ buyer: 36, reseller: 8, 'sub-agent': 140 });
      expect([paid.length, paid.reduce((sum, e) => sum + (e.amountMsat as number), 0)]).toEqual([
        s.money.sales,
        s.money.spentMsat,
      ]);
      expect([s.money.sales, s.money.spentMsat]).toEqual([184, 778_000]);
      // A sub-agent's pay event carries the task of its row; a restock's, the reseller's restock task.
      const subTasks = new Set(rows.filter((r) => r.role === 'sub-agent').map((r) => r.taskId));
      const restocks = new Set(rows.filter((r) => r.role === 'reseller').map((r) => r.taskId));
      const tasks = paid.filter((e) => role(e.buyer) !== 'buyer').map((e) => e.taskId as string);
      expect(tasks.filter((t) => !subTasks.has(t) && !restocks.has(t))).toEqual([]);
      expect(new Set(tasks).size).toEqual(subTasks.size + restocks.size);
    });

    it('with 2-call slices, a sub-agent’s second call names the origin seller (its listing name), as the reseller’s restock does', async () => {
      const { rows } = await resale({ 'resellers[0].sliceCalls': 2 });
      const origins = new Set(rows.filter((r) => r.role === 'reseller').map((r) => r.seller));
      const subSellers = new Set(rows.filter((r) => r.role === 'sub-agent').map((r) => r.seller));
      expect([[...origins], [...subSellers].sort()]).toEqual([
        ['bulk-feed-0'],
        ['broker-0', 'broker-1', 'bulk-feed-0'],
      ]);
    });
  },
);
