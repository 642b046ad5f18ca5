/**
 * Every channel the embedded network opens carries a minimum HTLC of 1,000 msat, and a channel of
 * less does not open. `network.sellerChannelMsat: 0`, `network.routerChannelMsat: 0` with two hubs,
 * a capacity distribution that draws below 1,000 msat, a SimLN `network.file` channel of less, and a
 * payer's balance of 1–999 msat all validated and stopped market setup with the network's own words
 * (`capacityMsat must be positive`, `minHtlcMsat 1000 exceeds maxHtlcMsat 500`). `sim validate` (the
 * checks `sim run` applies first) now refuses each at its field, and a `lognormal` capacity without
 * `min` draws its smaller amounts as 1,000 msat.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { SimNetwork } from '../../infra/lightning/simnet/index.js';
import { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import { MIN_CHANNEL_MSAT } from '../../sim/scenario/capacities.js';
import type { ScenarioError } from '../../sim/scenario/errors.js';
import { networkSchema } from '../../sim/scenario/schema.js';
import { brokerGroup, issueLines, minimalMarket, runInto } from './scenario-fixture.js';

/** A valid market: one seller, one buyer group, one hub. */
const base = () => minimalMarket('capacities');

/** Every issue validation reports for the base market with `overrides`, as `path: message`. */
const issues = (overrides: Record<string, unknown>): string[] => issueLines(base(), overrides);

const LEAST = '1,000 msat (a channel must carry one minimum HTLC)';
const below = (got: number | string) => `expected at least ${LEAST}, got ${got}`;
const balance = (got: number) => `expected 0 (no channel) or at least ${LEAST}, got ${got}`;

describe('the least a channel holds', () => {
  it('is the smallest capacity the simnet opens a channel of: 999 msat is refused, 1,000 opens', () => {
    const net = new SimNetwork({ clock: new VirtualClock(), rng: createRng(1) });
    const a = net.addNode({ alias: 'a' });
    const b = net.addNode({ alias: 'b' });
    expect(MIN_CHANNEL_MSAT).toBe(1000);
    expect(() => net.openChannel(a, b, { capacityMsat: MIN_CHANNEL_MSAT - 1 })).toThrow(
      'minHtlcMsat 1000 exceeds maxHtlcMsat 999',
    );
    expect(net.openChannel(a, b, { capacityMsat: MIN_CHANNEL_MSAT }).capacityMsat).toBe(1000);
  });
});

describe('fixed capacities below 1,000 msat are refused where they are used', () => {
  const twoHubs = { kind: 'hub_and_spoke', hubs: 2 };
  const drawn = { dist: 'fixed', value: 5000 };

  it('refuses network.sellerChannelMsat: 0 and 999; takes 1,000, and 0 when a seller class draws them', () => {
    expect(issues({ 'network.sellerChannelMsat': 0 })).toEqual([`network.sellerChannelMsat: ${below(0)}`]);
    expect(issues({ 'network.sellerChannelMsat': 999 })).toEqual([
      `network.sellerChannelMsat: ${below(999)}`,
    ]);
    expect(issues({ 'network.sellerChannelMsat': 1000 })).toEqual([]);
    const classed = { 'network.sellerChannelMsat': 0, 'network.channels': { seller: { capacity: drawn } } };
    expect(issues(classed)).toEqual([]);
  });

  it('refuses network.routerChannelMsat: 0 with two hubs, 500 on a ring of three routers', () => {
    const hubs = { 'network.topology': twoHubs, 'network.routerChannelMsat': 0 };
    expect(issues(hubs)).toEqual([`network.routerChannelMsat: ${below(0)}`]);
    const ring = { 'network.topology': { kind: 'ring', routers: 3 }, 'network.routerChannelMsat': 500 };
    expect(issues(ring)).toEqual([`network.routerChannelMsat: ${below(500)}`]);
  });

  it('takes network.routerChannelMsat: 0 where it opens no channel: one hub, or a router class that draws them', () => {
    const hubs = { 'network.topology': twoHubs, 'network.routerChannelMsat': 0 };
    expect(issues({ ...hubs, 'network.topology': { kind: 'hub_and_spoke', hubs: 1 } })).toEqual([]);
    expect(issues({ ...hubs, 'network.channels': { router: { capacity: drawn } } })).toEqual([]);
    // What makes the difference: the same two hubs without a router class.
    expect(issues(hubs)).toEqual([`network.routerChannelMsat: ${below(0)}`]);
  });
});

describe('capacity distributions that draw below 1,000 msat are refused at the field that lets them', () => {
  const at = (field: string) => `network.channels.seller.capacity.${field}`;
  it.each([
    ['a fixed value', { dist: 'fixed', value: 500 }, `${at('value')}: ${below(500)}`],
    ['a uniform min', { dist: 'uniform', min: 0, max: 5000 }, `${at('min')}: ${below(0)}`],
    [
      'a lognormal min',
      { dist: 'lognormal', median: 5000, sigma: 1, min: 10, max: 1e9 },
      `${at('min')}: ${below(10)}`,
    ],
    [
      'a lognormal max without min',
      { dist: 'lognormal', median: 500, sigma: 1, max: 900 },
      `${at('max')}: ${below(900)}`,
    ],
    ['a pareto scale', { dist: 'pareto', scale: 500, alpha: 2, max: 1e9 }, `${at('scale')}: ${below(500)}`],
    [
      'the smallest empirical value',
      { dist: 'empirical', values: [5000, 200, 300] },
      `${at('values[1]')}: ${below(200)}`,
    ],
  ])('%s', (_, capacity, message) => {
    expect(issues({ 'network.channels': { seller: { capacity } } })).toEqual([message]);
  });

  it('refuses a router class the same way', () => {
    const capacity = { dist: 'uniform', min: 1, max: 5000 };
    expect(issues({ 'network.channels': { router: { capacity } } })).toEqual([
      `network.channels.router.capacity.min: ${below(1)}`,
    ]);
  });

  it('judges a bound as drawn (rounded): refuses a uniform min of 999.4, takes 999.5 and 1,000-msat bounds', () => {
    const seller = (capacity: unknown) => issues({ 'network.channels': { seller: { capacity } } });
    expect(seller({ dist: 'uniform', min: 999.4, max: 5000 })).toEqual([
      `network.channels.seller.capacity.min: ${below(999.4)}`,
    ]);
    expect(seller({ dist: 'uniform', min: 999.5, max: 5000 })).toEqual([]);
    expect(seller({ dist: 'pareto', scale: 1000, alpha: 2, max: 1e9 })).toEqual([]);
    expect(seller({ dist: 'lognormal', median: 1500, sigma: 3, max: 1e9 })).toEqual([]);
  });
});

describe('a lognormal capacity without min draws at least 1,000 msat', () => {
  it('opens every seller channel (seed 1: these capacities), where draws below 1,000 stopped setup', async () => {
    const capacity = { dist: 'lognormal', median: 1500, sigma: 3, max: 1_000_000_000 };
    const world = new EmbeddedWorld(
      networkSchema.parse({ channels: { seller: { capacity } } }),
      createRng(1),
    );
    for (let i = 0; i < 8; i++) await world.node(`feed-${i}`, 'seller', 0);
    expect(world.net.graph.channels.map((c) => c.capacityMsat)).toEqual([
      133_966, 32_079, 15_540, 1000, 2479, 1000, 1000, 1000,
    ]);
  });
});

/** A SimLN channel between nodes `a` and `b`, each side with `extra` fields (min_htlc_size_msat…). */
const simLnChannel = (capacity_msat: number, a: string, b: string, extra: Record<string, number> = {}) => ({
  capacity_msat,
  node_1: { pubkey: `02${a}`, alias: a, ...extra },
  node_2: { pubkey: `02${b}`, alias: b, ...extra },
});

/** Writes a SimLN file of these channels; returns its path. */
function simLnFile(sim_network: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'capacity-file-')), 'net.json');
  writeFileSync(file, JSON.stringify({ sim_network }));
  return file;
}

describe('a SimLN network.file channel below 1,000 msat is refused', () => {
  it('names the file, the first such channel and how many more', () => {
    const file = simLnFile([
      simLnChannel(5_000_000, 'aa', 'bb'),
      simLnChannel(500, 'bb', 'cc'),
      simLnChannel(1, 'cc', 'aa'),
    ]);
    expect(issues({ 'network.file': file })).toEqual([
      `network.file: ${file}: sim_network[1].capacity_msat: ${below(500)}; and 1 more channel of the file`,
    ]);
  });
});

describe("a SimLN network.file channel is judged by its own sides' min_htlc_size_msat", () => {
  it('takes a 500-msat channel whose sides set min_htlc_size_msat 100, and market setup opens it at that minimum', () => {
    const file = simLnFile([simLnChannel(500, 'aa', 'bb', { min_htlc_size_msat: 100 })]);
    expect(issues({ 'network.file': file })).toEqual([]);
    const world = new EmbeddedWorld(networkSchema.parse({ file }), createRng(1));
    const [ch] = world.net.graph.channels;
    expect({ cap: ch!.capacityMsat, balance: ch!.balance, policy: ch!.policy }).toEqual({
      cap: 500,
      balance: [250, 250],
      policy: [0, 1].map(() => ({
        baseFeeMsat: 1000,
        feeRatePpm: 1,
        cltvDelta: 80,
        minHtlcMsat: 100,
        maxHtlcMsat: 500,
      })),
    });
  });

  const at = (file: string, message: string) => [
    `network.file: ${file}: sim_network[0].capacity_msat: ${message}`,
  ];

  it("refuses a channel below one side's own minimum, naming the side (with max_htlc_size_msat above the capacity too)", () => {
    const own = simLnFile([simLnChannel(1500, 'aa', 'bb', { min_htlc_size_msat: 2000 })]);
    const message =
      'expected at least 2,000 msat (one minimum HTLC of node_1, its min_htlc_size_msat), got 1500';
    expect(issues({ 'network.file': own })).toEqual(at(own, message));
    const roomy = { min_htlc_size_msat: 2000, max_htlc_size_msat: 1_000_000 };
    const withMax = simLnFile([simLnChannel(1500, 'aa', 'bb', roomy)]);
    expect(issues({ 'network.file': withMax })).toEqual(at(withMax, message));
  });

  it('refuses a channel below the default minimum of a side that sets none, though the other sets a lower one', () => {
    const channel = simLnChannel(500, 'aa', 'bb');
    const file = simLnFile([{ ...channel, node_1: { ...channel.node_1, min_htlc_size_msat: 100 } }]);
    expect(issues({ 'network.file': file })).toEqual(
      at(
        file,
        'expected at least 1,000 msat (one minimum HTLC of node_2, the default: it sets no min_htlc_size_msat), got 500',
      ),
    );
  });
});

describe("a payer's balance of 1–999 msat (its channel) is refused", () => {
  it('at a buyer balanceMsat (0, no channel, is taken)', () => {
    expect(issues({ 'buyers[0].balanceMsat': 500 })).toEqual([`buyers[0].balanceMsat: ${balance(500)}`]);
    expect(issues({ 'buyers[0].balanceMsat': 0 })).toEqual([]);
  });

  it('at a buyer budget whose default balance is below (908 is; 909, a default balance of 1,000, is taken)', () => {
    expect(issues({ 'buyers[0].budgetMsat': 908 })).toEqual([
      `buyers[0].budgetMsat: its default balance (budget + 10% for fees) is 999 msat, below ${LEAST}; raise budgetMsat to at least 909, or set balanceMsat`,
    ]);
    expect(issues({ 'buyers[0].budgetMsat': 909 })).toEqual([]);
  });

  it("at a seller's balanceMsat, a reseller's, and its sub-agents' budget", () => {
    const reseller = brokerGroup({ balanceMsat: 1, subAgents: { count: 1, budgetMsat: 100 } });
    const overrides = {
      'sellers[0].balanceMsat': 999,
      'sellers[0].tiers': [{ kind: 'single' }, { kind: 'bundle', calls: 10 }],
      resellers: [reseller],
    };
    expect(issues(overrides)).toEqual([
      `sellers[0].balanceMsat: ${balance(999)}`,
      `resellers[0].balanceMsat: ${balance(1)}`,
      `resellers[0].subAgents.budgetMsat: its default balance (budget + 10% for fees) is 110 msat, below ${LEAST}; raise budgetMsat to at least 909`,
    ]);
  });
});

describe('sim run', () => {
  it('refuses network.sellerChannelMsat: 0 before anything runs (it failed at market setup)', async () => {
    const { err, out } = await runInto({ ...base(), network: { sellerChannelMsat: 0 } });
    expect((err as ScenarioError).issues).toEqual([{ path: 'network.sellerChannelMsat', message: below(0) }]);
    expect(existsSync(out)).toBe(false);
  });
});
