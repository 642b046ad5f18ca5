import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import { networkSchema } from '../../sim/scenario/schema.js';
import { LabError } from '../../infra/errors.js';

const side = (pubkey: string, alias: string, base_fee: number, fee_rate_prop: number) => ({
  pubkey,
  alias,
  base_fee,
  fee_rate_prop,
  cltv_expiry_delta: 40,
});

/** Three routers in a line (alpha - beta - gamma), as SimLN describes a network. */
const SIMLN = {
  sim_network: [
    {
      scid: 1,
      capacity_msat: 4_000_000_000,
      node_1: side('02aa', 'alpha', 500, 50),
      node_2: side('02bb', 'beta', 700, 70),
    },
    {
      scid: 2,
      capacity_msat: 6_000_000_000,
      node_1: side('02bb', 'beta', 900, 90),
      node_2: side('02cc', 'gamma', 300, 30),
    },
  ],
};

function writeJson(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'simln-')), 'network.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('network.file on the embedded network', () => {
  it("builds the file's nodes as the routers, with its capacities and each side's fees", () => {
    const world = new EmbeddedWorld(networkSchema.parse({ file: writeJson(SIMLN) }), createRng(1));
    const routers = world.ledgerNodes().filter((n) => n.role === 'router');
    expect(routers.map((r) => r.name)).toEqual(['alpha', 'beta', 'gamma']);
    const chans = world.net.graph.channels.map((c) => ({
      cap: c.capacityMsat,
      balance: c.balance,
      fees: c.policy.map((p) => [p.baseFeeMsat, p.feeRatePpm]),
    }));
    expect(chans).toEqual([
      {
        cap: 4_000_000_000,
        balance: [2_000_000_000, 2_000_000_000],
        fees: [
          [500, 50],
          [700, 70],
        ],
      },
      {
        cap: 6_000_000_000,
        balance: [3_000_000_000, 3_000_000_000],
        fees: [
          [900, 90],
          [300, 30],
        ],
      },
    ]);
  });

  it('attaches agents to those routers, and a buyer pays a seller across them', async () => {
    const world = new EmbeddedWorld(networkSchema.parse({ file: writeJson(SIMLN) }), createRng(1));
    const seller = await world.node('seller-0', 'seller', 0);
    const buyer = await world.node('buyer-0', 'buyer', 100_000_000);
    const inv = await seller.createInvoice({ amountMsat: 1_000_000 });
    const paying = buyer.pay(inv.paymentRequest);
    await world.clock.runUntilIdle();
    const p = await paying;
    expect(p).toMatchObject({ status: 'succeeded', hops: 3 });
    expect(world.net.audit().ok).toBe(true);
  });

  it('refuses a file that is not SimLN JSON, naming the file and the field', () => {
    const path = writeJson({ nodes: [] });
    expect(() => new EmbeddedWorld(networkSchema.parse({ file: path }), createRng(1))).toThrow(LabError);
    expect(() => new EmbeddedWorld(networkSchema.parse({ file: path }), createRng(1))).toThrow(
      `network.file ${path}: the embedded network reads SimLN sim_network JSON; sim_network must be an array of channels`,
    );
  });

  it('refuses a file that cannot be read', () => {
    expect(
      () => new EmbeddedWorld(networkSchema.parse({ file: '/nonexistent/net.json' }), createRng(1)),
    ).toThrow(/cannot read network.file \/nonexistent\/net.json/);
  });
});

describe('channel classes and attachment on the embedded network (seed 5)', () => {
  const spec = networkSchema.parse({
    topology: { kind: 'scale_free', routers: 200, edgesPerNode: 2 },
    attach: 'degree',
    channels: {
      router: {
        capacity: { dist: 'lognormal', median: 2_000_000_000, sigma: 1, max: 1_000_000_000_000 },
        split: { dist: 'uniform', min: 0, max: 1 },
        baseFee: { dist: 'empirical', values: [0, 1000] },
        feeRate: { dist: 'pareto', scale: 10, alpha: 1.2, max: 5000 },
      },
      seller: { capacity: { dist: 'fixed', value: 50_000_000 }, split: { dist: 'fixed', value: 0.6 } },
    },
  });

  it('draws router channels from the classes: these exact first capacities, balances and fees', () => {
    const world = new EmbeddedWorld(spec, createRng(5));
    const g = world.net.graph;
    expect(g.channels).toHaveLength(397);
    const first = g.channels.slice(0, 2).map((c) => ({
      cap: c.capacityMsat,
      balance: c.balance,
      fees: c.policy.map((p) => [p.baseFeeMsat, p.feeRatePpm]),
    }));
    expect(first).toMatchInlineSnapshot(`
      [
        {
          "balance": [
            1992119739,
            1261238022,
          ],
          "cap": 3253357761,
          "fees": [
            [
              0,
              15,
            ],
            [
              0,
              66,
            ],
          ],
        },
        {
          "balance": [
            24273583,
            596615050,
          ],
          "cap": 620888633,
          "fees": [
            [
              0,
              13,
            ],
            [
              1000,
              34,
            ],
          ],
        },
      ]
    `);
  });

  it('gives seller channels their class (60% on the router side) and attaches agents by degree', async () => {
    const world = new EmbeddedWorld(spec, createRng(5));
    const sellers = [];
    for (let i = 0; i < 40; i++) sellers.push(await world.node(`s-${i}`, 'seller', 0));
    const g = world.net.graph;
    const own = g.channels.filter((c) => world.net.nodes[c.nodes[1]]!.alias.startsWith('s-'));
    expect(own.map((c) => [c.capacityMsat, c.balance[0]])).toEqual(
      Array.from({ length: 40 }, () => [50_000_000, 30_000_000]),
    );
    const routerOf = own.map((c) => world.net.nodes[c.nodes[0]]!.alias);
    expect(new Set(routerOf).size).toMatchInlineSnapshot(`35`);
    expect(routerOf.slice(0, 6)).toMatchInlineSnapshot(`
      [
        "router-34",
        "router-30",
        "router-174",
        "router-62",
        "router-118",
        "router-165",
      ]
    `);
  });

  it('opens `count` channels per seller, each to a different router', async () => {
    const three = networkSchema.parse({ ...spec, channels: { seller: { count: 3 } } });
    const world = new EmbeddedWorld(three, createRng(5));
    await world.node('s-0', 'seller', 0);
    const seller = world.net.node('s-0');
    const mine = world.net.graph.channels.filter((c) => c.nodes[1] === seller.index);
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((c) => c.nodes[0])).size).toBe(3);
  });

  it('is seeded: the same seed builds the same network', () => {
    const a = new EmbeddedWorld(spec, createRng(5)).net.graph.channels.map((c) => [
      c.capacityMsat,
      ...c.balance,
    ]);
    const b = new EmbeddedWorld(spec, createRng(5)).net.graph.channels.map((c) => [
      c.capacityMsat,
      ...c.balance,
    ]);
    const c = new EmbeddedWorld(spec, createRng(6)).net.graph.channels.map((c) => [
      c.capacityMsat,
      ...c.balance,
    ]);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});
