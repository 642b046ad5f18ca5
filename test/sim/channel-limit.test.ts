/**
 * A market's channels are bounded (MAX_CHANNELS in sim/scenario/limits.ts): every seller opens
 * `network.channels.seller.count` channels, and `seller.count: 100000000` (of 1,000 msat each, within
 * the money check) validated and ran out of memory at market setup. Now a count over the limit is refused at its field, and a market that
 * opens more channels in all at the field that opens the most, with the total and what to lower.
 */
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../sim/scenario/load.js';
import { applyOverrides } from '../../sim/scenario/overrides.js';
import { scenarioSchema } from '../../sim/scenario/schema.js';
import { marketChannels } from '../../sim/scenario/channels.js';
import { runScenario } from '../../sim/run.js';
import type { EmbeddedWorld } from '../../sim/market/embedded-world.js';

/** A valid market: three sellers, one buyer group, one hub. */
const base = () => ({
  name: 'channels',
  durationSec: 1,
  drainSec: 0,
  sellers: [
    {
      name: 'feed',
      count: 3,
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: 2000 },
      tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 10 }],
    },
  ],
  buyers: [
    {
      name: 'shopper',
      count: 5,
      policy: { name: 'allow_all' },
      budgetMsat: 100_000,
      arrivals: { process: 'poisson', ratePerMin: 1 },
      tasks: [{ capability: 'anomalies:read', value: { dist: 'fixed', msat: 8000 } }],
    },
  ],
});

/** Every issue validation reports for the base market with `overrides`, as `path: message`. */
function issues(overrides: Record<string, unknown>): string[] {
  const v = validateScenario(applyOverrides(base(), overrides));
  return v.ok ? [] : v.issues.map((i) => `${i.path}: ${i.message}`);
}

const HELD = 'more than the 1,000,000 one run opens: each is held in memory for the whole run';

describe('the channels one run opens are bounded', () => {
  it('refuses network.channels.seller.count over the limit at its field', () => {
    expect(issues({ 'network.channels': { seller: { count: 100_000_000 } } })).toEqual([
      'network.channels.seller.count: expected at most 1,000,000: one run opens at most 1,000,000 channels, each held in memory for the whole run',
    ]);
  });

  it('refuses a market whose seller channels pass it, naming the total and the count that fits', () => {
    expect(issues({ 'network.channels': { seller: { count: 400_000 } } })).toEqual([
      `network.channels.seller.count: this market opens 1,200,005 channels (1,200,000 seller channels (3 sellers × 400,000 each), 5 payer channels), ${HELD}; lower network.channels.seller.count to at most 333,331`,
    ]);
    // 3 × 333,331 seller channels and 5 payer channels: 999,998.
    expect(issues({ 'network.channels': { seller: { count: 333_331 } } })).toEqual([]);
    expect(issues({ 'network.channels': { seller: { count: 333_332 } } })).toHaveLength(1);
  });

  it('refuses fully meshed hubs past it at the topology', () => {
    // 1,415 hubs share 1,415 × 1,414 / 2 = 1,000,405 channels.
    const network = { topology: { kind: 'hub_and_spoke', hubs: 1415 }, routerChannelMsat: 1000 };
    expect(issues({ network })).toEqual([
      `network.topology: this market opens 1,000,413 channels (3 seller channels (3 sellers × 1 each), 1,000,405 router channels, 5 payer channels), ${HELD}; lower network.topology.hubs (every two hubs share a channel)`,
    ]);
  });

  it('counts the channels the built network opens: router links, seller and reseller channels, payers', async () => {
    const s = scenarioSchema.parse(
      applyOverrides(base(), {
        network: {
          topology: { kind: 'scale_free', routers: 6, edgesPerNode: 2 },
          channels: { seller: { count: 3 } },
        },
        'sellers[1]': {
          name: 'chain',
          archetype: 'compute',
          price: { kind: 'fixed', msat: 5000 },
          upstream: [{ capability: 'anomalies:read' }],
          balanceMsat: 700_000,
        },
        'sellers[2]': {
          name: 'shady',
          count: 2,
          archetype: 'data-feed',
          price: { kind: 'fixed', msat: 1000 },
          adversarial: { mode: 'wrong-payee' },
        },
        'buyers[1]': { ...base().buyers[0], name: 'broke', count: 2, balanceMsat: 0 },
        resellers: [
          {
            name: 'broker',
            count: 2,
            capability: 'anomalies:read',
            balanceMsat: 2_000_000,
            subAgents: {
              count: 3,
              budgetMsat: 50_000,
              arrivals: { process: 'poisson', ratePerMin: 1 },
              value: { dist: 'fixed', msat: 5000 },
            },
          },
        ],
      }),
    );
    let opened = 0;
    await runScenario(s, {
      onMarket: ({ world }) => {
        opened = (world as EmbeddedWorld).net.graph.channels.length;
      },
    });
    // 9 router links; (6 sellers + 2 shadows + 2 resellers) × 3; 5 buyers, 1 seller, 2 resellers, 6 sub-agents pay.
    expect(marketChannels(s)).toEqual({ router: 9, payees: 10, perPayee: 3, payer: 14 });
    expect(opened).toBe(9 + 30 + 14);
  });
});
