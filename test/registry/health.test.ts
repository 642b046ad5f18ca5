import { describe, expect, it } from 'vitest';
import { HealthProber, nodeSigner } from '../../services/registry/index.js';
import { makeMarket } from './helpers.js';

const fixed = (msat: number) => ({ kind: 'fixed' as const, msat });

describe('health probing on the virtual clock', () => {
  async function market() {
    const m = await makeMarket();
    const signer = await nodeSigner(m.seller);
    const register = async (host: string, config: Parameters<typeof m.addSeller>[1]) => {
      const s = await m.addSeller(host, config);
      const r = await m.client.register(s.listing(`http://${host}`), signer);
      if (!r.ok) throw new Error(r.message);
      return r.listing.id;
    };
    const honest = await register('honest.test', { archetype: 'data-feed', price: fixed(2_000) });
    const greedy = await register('greedy.test', {
      archetype: 'compute',
      price: fixed(1_000),
      adversarial: { mode: 'overcharge', factor: 4 },
    });
    const liar = await register('liar.test', {
      archetype: 'llm-summary',
      price: fixed(500),
      adversarial: { mode: 'wrong-payee' },
    });
    m.delays.set('honest.test', 120);
    m.delays.set('greedy.test', 30);
    const prober = new HealthProber({
      registry: m.registry,
      fetch: m.fetch,
      clock: m.clock,
      intervalMs: 60_000,
      timeoutMs: 5_000,
    });
    return { m, prober, honest, greedy, liar };
  }

  it('records liveness, latency and the price actually quoted in the 402; a quote above the listed price is not alive (over_advertised)', async () => {
    const { m, prober, honest, greedy, liar } = await market();
    const round = prober.probeAll();
    await m.clock.runUntilIdle();
    await round;
    expect(m.registry.get(honest)!.health).toMatchObject({
      alive: true,
      latencyMs: 120,
      quotedPriceMsat: 2_000,
      failures: 0,
    });
    // Listed at 1,000 msat, its 402 asks 4,000: every buyer who found it at 1,000 refuses that invoice.
    expect(m.registry.get(greedy)!.health).toMatchObject({
      alive: false,
      latencyMs: 30,
      quotedPriceMsat: 4_000,
      error: 'over_advertised',
      failures: 1,
    });
    expect(m.registry.get(liar)!.health).toMatchObject({ alive: false, error: 'wrong_payee', failures: 1 });
    const byLatency = await m.client.search({ sort: 'latency' });
    expect(byLatency.ok && byLatency.listings.map((l) => l.id)).toEqual([honest, greedy, liar]);
    const alive = await m.client.search({ alive: true });
    expect(alive.ok && alive.listings.map((l) => l.id)).toEqual([honest]);
  });

  it('probes on schedule (a minute after each round ends), counts consecutive failures, and reports health and price changes', async () => {
    const { m, prober, honest } = await market();
    const t0 = m.clock.now();
    const running = prober.run();
    // A round probes the listings side by side and lasts as long as its slowest probe, then sleeps a minute.
    const health = () => m.registry.get(honest)!.health;
    await m.clock.runUntilIdle(t0 + 1_000);
    // Round 1 at t0 lasts 120 ms (honest's answer).
    expect(health()).toEqual({
      alive: true,
      latencyMs: 120,
      quotedPriceMsat: 2_000,
      checkedAt: t0 + 120,
      failures: 0,
    });
    m.hosts.delete('honest.test'); // the seller disappears
    await m.clock.runUntilIdle(t0 + 61_000);
    // Round 2 at t0 + 60,120: honest fails at once, the round lasts 30 ms (greedy's answer).
    expect(health()).toEqual({
      alive: false,
      latencyMs: 0,
      error: 'unreachable',
      checkedAt: t0 + 60_120,
      failures: 1,
    });
    await m.clock.runUntilIdle(t0 + 122_000);
    // Round 3 at t0 + 60,150 + 60,000.
    expect(health()).toEqual({
      alive: false,
      latencyMs: 0,
      error: 'unreachable',
      checkedAt: t0 + 120_150,
      failures: 2,
    });
    const changes = m.events
      .filter((e) => e.type === 'health_changed' && e.listing.id === honest)
      .map((e) => e.listing.health?.alive);
    expect(changes).toEqual([true, false]);
    prober.stop();
    await m.clock.runUntilIdle();
    await running;
  });

  it('times a probe out when the seller does not answer within the timeout', async () => {
    const { m, prober, honest } = await market();
    m.delays.set('honest.test', 10_000);
    const round = prober.probeAll();
    await m.clock.runUntilIdle();
    await round;
    expect(m.registry.get(honest)!.health).toMatchObject({ alive: false, error: 'timeout' });
  });

  it('a probe that answered in time leaves no timer of its time limit behind', async () => {
    const { m, prober, honest } = await market();
    const t0 = m.clock.now();
    const probe = prober.probe(m.registry.get(honest)!);
    await m.clock.runUntilIdle(t0 + 1_000);
    expect(await probe).toMatchObject({ alive: true, latencyMs: 120 });
    expect(m.clock.pending).toBe(0);
  });
});
