import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import type { Market } from '../../sim/market/market.js';
import { validScenario } from './scenario-fixture.js';

/**
 * A market of 3 buyers and 2 sellers with one task per buyer every 2 minutes,
 * each task one paid call: `hours` of it. Longer runs at the same rate make
 * proportionally more purchases; what the process retains must not follow.
 */
function market(hours: number) {
  return validScenario({
    name: 'bounded-memory',
    seed: 3,
    durationSec: hours * 3600,
    drainSec: 60,
    network: { topology: { kind: 'hub_and_spoke', hubs: 1 }, hopLatency: 10 },
    sellers: [{ name: 'feed', count: 2, archetype: 'data-feed', price: { kind: 'fixed', msat: 2000 } }],
    buyers: [
      {
        name: 'b',
        count: 3,
        policy: { name: 'allow_all' },
        budgetMsat: 100_000_000,
        arrivals: { process: 'fixed', everySec: 120 },
        tasks: [{ capability: 'anomalies:read', calls: 1, value: { dist: 'fixed', msat: 1_000_000 } }],
      },
    ],
  });
}

/** Runs `hours` of the market and reads what it retains once it ended. */
async function retained(hours: number) {
  let built: { world: EmbeddedWorld; market: Market } | undefined;
  const { summary, engine } = await runScenario(market(hours), {
    onMarket: ({ world, market }) => {
      if (world instanceof EmbeddedWorld) built = { world, market };
    },
  });
  const { world, market: m } = built!;
  // Invoices and payment records live until their invoice expires (600 s): forget the expired ones now.
  world.net.pruneExpired();
  return {
    purchases: summary.purchases.total,
    state: {
      invoices: world.net.invoicesHeld(),
      payments: world.net.paymentsHeld(),
      pendingChallenges: m.revenue.pending,
      clockSleepers: world.clock.pending,
      unfinished: engine.unfinished.length,
    },
  };
}

describe('memory of a long run', () => {
  it('12 h of market (1,077 purchases) retains exactly what 3 h (267 purchases) does: the last expiry window of invoices and payment records, the last hour of unpaid challenges, no sleeper, no activity', async () => {
    const short = await retained(3);
    const long = await retained(12);
    expect([short.purchases, long.purchases]).toEqual([267, 1077]);
    expect(long.state).toEqual(short.state);
    expect(short.state).toEqual({
      invoices: 30,
      payments: 15,
      pendingChallenges: 93,
      clockSleepers: 0,
      unfinished: 0,
    });
  }, 600_000);
});
