import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { summaryJson } from '../../sim/report/write-run.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';

const short = (name: string, extra: Record<string, unknown> = {}) =>
  loadScenario(name, { overrides: { durationSec: 20, drainSec: 30, ...extra }, checks: scenarioChecks });

describe('a run of the quickstart', () => {
  it('gives byte-identical summary.json for the same seed and a different one for another seed', async () => {
    const s = short('quickstart');
    const a = summaryJson((await runScenario(s, { seed: 3 })).summary);
    const b = summaryJson((await runScenario(s, { seed: 3 })).summary);
    const c = summaryJson((await runScenario(s, { seed: 4 })).summary);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('conserves money to the msat: buyers’ debits equal seller credits plus routing fees', async () => {
    const { summary } = await runScenario(short('quickstart'), { seed: 5 });
    const k = summary.conservation;
    expect(summary.purchases.total).toBeGreaterThan(0);
    expect(k.holds).toBe(true);
    expect(k.debitsMsat).toBe(k.creditsMsat + k.routingFeesMsat);
    expect(k.debitsMsat).toBe(summary.money.spentMsat + summary.money.feesMsat);
    expect(k.creditsMsat).toBe(summary.money.revenueMsat);
    expect(k.routingFeesMsat).toBeGreaterThan(0);
  });

  it('does not drift: with fixed latencies every payment takes 2 × hops × hop latency and every call the seller’s 20 ms', async () => {
    const purchases = new MemorySink();
    const s = short('quickstart', {
      'network.hopLatency': 10,
      'network.topology': { kind: 'ring', routers: 3 },
    });
    await runScenario(s, { seed: 2, sinks: { purchases } });
    const paid = parsePurchasesCsv(purchases.text()).filter((r) => r.paidMsat > 0);
    expect(new Set(paid.map((r) => r.hops)).size).toBeGreaterThan(1);
    for (const r of paid) {
      expect(r.payMs).toBe(2 * r.hops * 10);
      expect(r.consumeMs).toBe(20);
    }
  });

  it('writes one CSV row per purchase attempt with the steps’ timings', async () => {
    const purchases = new MemorySink();
    const { summary } = await runScenario(short('quickstart'), { seed: 6, sinks: { purchases } });
    const rows = parsePurchasesCsv(purchases.text());
    expect(rows).toHaveLength(summary.purchases.total);
    const paid = rows.filter((r) => r.outcome === 'success' && !r.tokenReused);
    expect(paid.length).toBeGreaterThan(0);
    for (const r of paid) {
      expect(r.paidMsat).toBeGreaterThan(0);
      expect(r.hops).toBeGreaterThanOrEqual(2);
      expect(r.payMs).toBeGreaterThan(0);
      expect(r.totalMs).toBe(r.discoverMs + r.quoteMs + r.decideMs + r.payMs + r.consumeMs);
    }
  });

  it('writes every output to --out: summary, meta, CSV, events, report with charts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-run-'));
    const out = await runScenario(short('quickstart', { durationSec: 10 }), { seed: 1, outDir: dir });
    for (const f of [
      'summary.json',
      'meta.json',
      'purchases.csv',
      'events.jsonl',
      'report.html',
      'charts/latency-cdf.png',
    ])
      expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe(summaryJson(out.summary));
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const png = readFileSync(join(dir, 'charts/latency-cdf.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).wallMs).toBeGreaterThan(0);
  }, 60_000);
});

describe('shipped scenarios', () => {
  it('faults: dishonest invoices are refused before paying, and a drained buyer cannot pay', async () => {
    const { summary } = await runScenario(short('faults', { durationSec: 60 }));
    expect(summary.conservation.holds).toBe(true);
    expect(summary.purchases.byOutcome.invoice_rejected).toBeGreaterThan(0);
    expect(summary.purchases.byOutcome.not_delivered).toBeGreaterThan(0);
    expect(summary.purchases.byOutcome.insufficient_balance).toBeGreaterThan(0);
    expect(summary.faults.map((f) => f.kind)).toEqual([
      'node_offline',
      'drain_channel',
      'node_online',
      'failure_rate',
    ]);
  });

  it('price-war: load-priced sellers produce dispersed prices', async () => {
    const { summary } = await runScenario(short('price-war', { 'buyers[0].count': 20 }));
    expect(summary.conservation.holds).toBe(true);
    expect(summary.prices['anomalies:read']!.cv).toBeGreaterThan(0);
    expect(summary.prices['anomalies:read']!.maxMsat).toBeGreaterThan(
      summary.prices['anomalies:read']!.minMsat,
    );
  });

  it('agent-chain: intermediaries buy upstream for the calls they sell, and money still balances', async () => {
    const { summary } = await runScenario(short('agent-chain', { durationSec: 60 }));
    expect(summary.conservation.holds).toBe(true);
    expect(summary.groups['trading (upstream)']!.successes).toBeGreaterThan(0);
    expect(summary.groups['analysis (upstream)']!.successes).toBeGreaterThan(0);
    expect(summary.groups.fund!.done).toBeGreaterThan(0);
    // Every delivered trade bought a summary, and every summary bought data.
    expect(summary.groups['trading (upstream)']!.successes).toBeGreaterThanOrEqual(summary.groups.fund!.done);
  });

  it('resale: brokers buy bundles, sell slices to sub-agents, and their margins are booked', async () => {
    const { summary } = await runScenario(short('resale', { durationSec: 60 }));
    expect(summary.conservation.holds).toBe(true);
    expect(summary.counts.subAgents).toBe(12);
    const brokers = Object.values(summary.resale);
    expect(brokers.length).toBe(2);
    for (const b of brokers) {
      expect(b.costMsat).toBeGreaterThan(0);
      expect(b.marginMsat).toBe(b.revenueMsat - b.costMsat);
    }
    expect(summary.groups['broker sub-agents']!.successes).toBeGreaterThan(0);
    expect(summary.purchases.tokenReuseRate).toBeGreaterThan(0);
  });

  it('policy-benchmark: an overcharging seller is refused under every policy', async () => {
    const { summary } = await runScenario(short('policy-benchmark'));
    expect(summary.conservation.holds).toBe(true);
    expect(summary.purchases.byOutcome.invoice_rejected).toBeGreaterThan(0);
  });
});
