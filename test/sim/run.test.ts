import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { summaryJson } from '../../sim/report/write-run.js';
import type { RunMeta } from '../../sim/report/provenance.js';
import { scenarioHash } from '../../sim/scenario/hash.js';
import type { Scenario } from '../../sim/scenario/schema.js';
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
    expect(k.holds).toBe(true);
    expect(k.debitsMsat).toBe(k.creditsMsat + k.routingFeesMsat);
    expect(k.debitsMsat).toBe(summary.money.spentMsat + summary.money.feesMsat);
    expect(k.creditsMsat).toBe(summary.welfare.sellerRevenueMsat);
    expect(k.routingFeesMsat).toBe(summary.welfare.routingIncomeMsat);
  });

  it('does not drift: with fixed latencies every payment takes 2 × hops × hop latency and every call the seller’s 20 ms', async () => {
    const purchases = new MemorySink();
    const s = short('quickstart', {
      'network.hopLatency': 10,
      'network.topology': { kind: 'ring', routers: 3 },
    });
    await runScenario(s, { seed: 2, sinks: { purchases } });
    const paid = parsePurchasesCsv(purchases.text()).filter((r) => r.paidMsat > 0);
    expect([...new Set(paid.map((r) => r.hops))].sort()).toEqual([2, 3]);
    for (const r of paid) {
      expect(r.steps.pay!.ms).toBe(2 * r.hops * 10);
      expect(r.steps.consume!.ms).toBe(20);
    }
  });

  it('writes one CSV row per attempt whose steps run end to end from its start to its end', async () => {
    const purchases = new MemorySink();
    const { summary } = await runScenario(short('quickstart'), { seed: 6, sinks: { purchases } });
    const rows = parsePurchasesCsv(purchases.text());
    expect(rows).toHaveLength(summary.purchases.total);
    for (const r of rows) {
      const spans = Object.values(r.steps).sort((a, b) => a.atMs - b.atMs);
      expect(spans[0]!.atMs).toBe(r.startMs);
      for (let i = 1; i < spans.length; i++)
        expect(spans[i]!.atMs).toBe(spans[i - 1]!.atMs + spans[i - 1]!.ms);
      expect(spans.at(-1)!.atMs + spans.at(-1)!.ms).toBe(r.endMs);
    }
  });

  it('writes every output to --out: summary, meta, CSV, events, report with charts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-run-'));
    const out = await runScenario(short('quickstart', { durationSec: 10 }), { seed: 1, outDir: dir });
    for (const f of [
      'summary.json',
      'meta.json',
      'purchases.csv',
      'tasks.csv',
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
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as RunMeta;
    expect(meta.scenarioHash).toBe(out.summary.scenarioHash);
    expect(meta.scenarioHash).toBe(scenarioHash(meta.resolvedScenario as Scenario));
    expect(meta.code.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(html).toContain(meta.code.commit);
  }, 60_000);
});
