/**
 * A market's channels are bounded (MAX_CHANNELS in sim/scenario/limits.ts): every seller opens
 * `network.channels.seller.count` channels, and `seller.count: 100000000` (of 1,000 msat each, within
 * the money check) validated and ran out of memory at market setup. Now a count over the limit is refused at its field, and a market that
 * opens more channels in all at the field that opens the most, with the total and what to lower.
 */
import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../sim/scenario/overrides.js';
import { scenarioSchema } from '../../sim/scenario/schema.js';
import { marketChannels } from '../../sim/scenario/channels.js';
import { runScenario } from '../../sim/run.js';
import type { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import { issueLines, minimalMarket, otherNodeKinds } from './scenario-fixture.js';

/** A valid market: three sellers, one buyer group of five, one hub. */
const base = () =>
  minimalMarket('channels', {
    'sellers[0].count': 3,
    'sellers[0].tiers': [{ kind: 'single' }, { kind: 'bundle', calls: 10 }],
    'buyers[0].count': 5,
  });

/** Every issue validation reports for the base market with `overrides`, as `path: message`. */
const issues = (overrides: Record<string, unknown>): string[] => issueLines(base(), overrides);

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
        ...otherNodeKinds(),
        'buyers[1]': { ...base().buyers[0], name: 'broke', count: 2, balanceMsat: 0 },
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
