/**
 * Tasks still running when a run's time limit comes (the end of its drain) are recorded as they
 * stood, not dropped: each gets its tasks.csv row (stop reason `unfinished`) and counts in the
 * tasks, the completion rate and welfare; a call it had paid for and was still waiting on gets its
 * purchases.csv row (outcome `unfinished`), so spend matches the sellers' revenue. And the run
 * ends at its time limit. The fixtures (test/fixtures/unfinished/) run 20 s of market with a
 * task every 6 s from 6 s on and a drain of 1 s (3 s for the resale one).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario, type RunOptions } from '../../sim/run.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { parsePurchasesCsv, parseTasksCsv } from '../../sim/metrics/csv.js';
import { rebuildAggregates } from '../../sim/metrics/rebuild.js';
import { runCommand } from '../../sim/commands/run-command.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/unfinished/${name}.yaml`, import.meta.url));

async function run(name: string, opts: Pick<RunOptions, 'executor'> = {}) {
  const purchases = new MemorySink();
  const tasks = new MemorySink();
  const scenario = loadScenario(fixture(name), { checks: scenarioChecks });
  const out = await runScenario(scenario, { ...opts, sinks: { purchases, tasks } });
  return { ...out, purchasesCsv: purchases.text(), tasksCsv: tasks.text() };
}

/** A tasks.csv row's identity and outcome. */
const taskLine = (t: ReturnType<typeof parseTasksCsv>[number]) =>
  [t.taskId, t.done, t.stopReason, t.earnedMsat, t.spentMsat, t.feesMsat, t.startedAtMs, t.endedAtMs].join(
    ' ',
  );

/** A purchases.csv row's task, seller, stage, outcome, money and span. */
const purchaseLine = (r: ReturnType<typeof parsePurchasesCsv>[number]) =>
  [r.taskId, r.seller, r.stage, r.outcome, r.paidMsat, r.feeMsat, r.startMs, r.endMs].join(' ');

describe('a task waiting for its quote (8 s) when the drain runs out at 21 s', () => {
  it('is in tasks.csv as unfinished (started 18,000, ended 21,000, nothing spent) after the two done', async () => {
    const { tasksCsv } = await run('quote');
    expect(parseTasksCsv(tasksCsv).map(taskLine)).toEqual([
      'shopper-0/0 true done 20000 3000 103 6000 14060',
      'shopper-0/1 true done 20000 3000 103 12000 20060',
      'shopper-0/2 false unfinished 0 0 0 18000 21000',
    ]);
  });

  it('counts in tasks (3), completion (2 of 3), tasksUnfinished (1) and welfare (3 tasks, by stop reason)', async () => {
    const { summary } = await run('quote');
    const p = summary.purchases;
    expect([p.tasks, p.tasksDone, p.tasksUnfinished, p.taskCompletionRate]).toEqual([3, 2, 1, 0.666667]);
    expect(summary.counts.tasks).toBe(3);
    expect([summary.welfare.tasks, summary.welfare.done, summary.welfare.valueMsat]).toEqual([3, 2, 40_000]);
    expect(summary.welfare.byStopReason).toEqual({ done: 2, unfinished: 1 });
    expect(summary.groups.shopper!.tasksUnfinished).toBe(1);
  });

  it('ends the run at its time limit, 21,000 ms, not at the last event before it (20,060)', async () => {
    const { summary, engine } = await run('quote');
    expect(engine.endedAtMs).toBe(21_000);
    expect(summary.endedAtMs).toBe(21_000);
  });
});

describe('calls paid for and waiting for the seller’s answer (5 s) when the drain runs out at 21 s', () => {
  it('are in purchases.csv with outcome unfinished, paid 3,000 + 103 msat fees, ending at 21,000', async () => {
    const { purchasesCsv } = await run('paid');
    expect(parsePurchasesCsv(purchasesCsv).map(purchaseLine)).toEqual([
      'shopper-0/0 slow-0 consume success 3000 103 6000 11040',
      'shopper-0/0 slow-0 consume success 3000 103 11040 16080',
      'shopper-0/1 slow-0 consume success 3000 103 12000 17040',
      'shopper-0/1 slow-0 consume unfinished 3000 103 17040 21000',
      'shopper-0/2 slow-0 consume unfinished 3000 103 18000 21000',
    ]);
  });

  it('make spend (15,000 msat) equal the seller’s revenue, and conservation hold', async () => {
    const { summary } = await run('paid');
    expect(summary.money.spentMsat).toBe(15_000);
    expect(summary.sellers.slow!.revenueMsat).toBe(15_000);
    expect(summary.purchases.byOutcome).toEqual({ success: 3, unfinished: 2 });
    expect(summary.conservation.recorded).toEqual({
      payersMsat: 15_515,
      feesMsat: 515,
      spendDifferenceMsat: 0,
      feeDifferenceMsat: 0,
    });
    expect(summary.conservation.holds).toBe(true);
  });

  it('leave their tasks unfinished with what they paid: one call of two done (10,000 of 20,000 earned), and one with none', async () => {
    const { tasksCsv, summary } = await run('paid');
    expect(parseTasksCsv(tasksCsv).map(taskLine)).toEqual([
      'shopper-0/0 true done 20000 6000 206 6000 16080',
      'shopper-0/1 false unfinished 10000 6000 206 12000 21000',
      'shopper-0/2 false unfinished 0 3000 103 18000 21000',
    ]);
    expect([summary.welfare.tasks, summary.welfare.costMsat]).toEqual([3, 15_515]);
  });

  it('give the same rows under the LangGraph runtime as under the direct executor', async () => {
    const direct = await run('paid');
    const viaLangGraph = await run('paid', { executor: 'langgraph' });
    expect(
      parsePurchasesCsv(viaLangGraph.purchasesCsv).filter((r) => r.outcome === 'unfinished'),
    ).toHaveLength(2);
    expect(viaLangGraph.purchasesCsv).toBe(direct.purchasesCsv);
    expect(viaLangGraph.tasksCsv).toBe(direct.tasksCsv);
  });

  it('are rebuilt from the CSVs: tasksUnfinished 2 and the unfinished outcomes', async () => {
    const { summary, purchasesCsv, tasksCsv } = await run('paid');
    const again = rebuildAggregates(purchasesCsv, tasksCsv, summary.durationMs);
    expect(again.purchases.tasksUnfinished).toBe(2);
    expect(again.purchases).toEqual(summary.purchases);
    expect(again.welfare).toEqual(summary.welfare);
  });
});

describe('a sub-agent task at its slice’s second call (4 s at the origin) when the drain runs out at 23 s', () => {
  it('is in tasks.csv as unfinished with the slice it paid for (5,000 + 105 msat) and 1 call of 2 (4,500 earned)', async () => {
    const { tasksCsv, summary } = await run('resale');
    expect(parseTasksCsv(tasksCsv).map(taskLine)).toEqual([
      'broker-0-sub-0/0 true done 9000 5000 105 6000 14080',
      'broker-0-sub-0/1 true done 9000 5000 105 12000 20040',
      'broker-0-sub-0/2 false unfinished 4500 5000 105 18000 23000',
    ]);
    const p = summary.purchases;
    expect([p.tasks, p.tasksDone, p.tasksUnfinished, summary.welfare.valueMsat]).toEqual([3, 2, 1, 22_500]);
    expect(summary.endedAtMs).toBe(23_000);
    expect(summary.conservation.holds).toBe(true);
  });
});

describe('a payment settling back along its route when the drain runs out at 21 s', () => {
  // The third task pays at 20,965: its HTLCs reach the seller at 20,985, the seller's hop settles at
  // 20,995 and the buyer's at 21,005, after the time limit.
  it('reads as still in flight in the ledger: conservation holds (debits 6,206 = credits 6,000 + fees 206)', async () => {
    const { summary, tasksCsv } = await run('settling');
    expect(parseTasksCsv(tasksCsv).map(taskLine)).toEqual([
      'shopper-0/0 true done 20000 3000 103 6000 9025',
      'shopper-0/1 true done 20000 3000 103 12000 15025',
      'shopper-0/2 false unfinished 0 0 0 18000 21000',
    ]);
    const k = summary.conservation;
    expect([k.holds, k.debitsMsat, k.creditsMsat, k.routingFeesMsat]).toEqual([true, 6206, 6000, 206]);
    expect([k.recorded.spendDifferenceMsat, k.recorded.feeDifferenceMsat]).toEqual([0, 0]);
  });

  it('is booked by the seller, who settled its invoice (3 sales, 9,000 msat), and in no buyer row (spent 6,000)', async () => {
    const { summary } = await run('settling');
    const seller = summary.sellers.slowquote!;
    expect([seller.sales, seller.revenueMsat]).toEqual([3, 9000]);
    expect([summary.money.sales, summary.money.spentMsat, summary.market.revenueMsat]).toEqual([
      2, 6000, 6000,
    ]);
  });
});

describe('sim run of a market cut off by its time limit', () => {
  it('says how many tasks were unfinished, in its summary line and its note, and exits 0', async () => {
    const lines: string[] = [];
    const io = {
      out: (l: string) => lines.push(l),
      err: () => {},
      interactive: false,
      now: () => new Date(0),
    };
    const out = join(mkdtempSync(join(tmpdir(), 'unfinished-')), 'out');
    expect(await runCommand([fixture('paid'), '--no-png', '--no-events', '--out', out], io)).toBe(0);
    const printed = lines.join('\n').split('\n');
    expect(printed[1]).toBe(
      '5 purchase attempts; spent 15 sat + fees 0.515 sat; welfare 30 sat over 3 tasks (1 done, 2 unfinished)',
    );
    expect(printed.filter((l) => l.startsWith('note:'))).toEqual([
      'note: 2 activities were still running at the time limit, 2 end tasks among them, in tasks.csv with stopReason unfinished (raise drainSec to let them finish)',
    ]);
  });
});
