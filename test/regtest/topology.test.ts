import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultTopology, loadTopology, resolveTopology } from '../../infra/regtest/topology.js';

describe('topologies', () => {
  it('the default is a hub with two sellers and two buyers on 2,000,000 sat channels, a quarter pushed to the far side so money flows both ways', () => {
    expect(defaultTopology.nodes.map((n) => `${n.name}:${n.role}`)).toEqual([
      'hub:hub',
      'seller-1:seller',
      'seller-2:seller',
      'buyer-1:buyer',
      'buyer-2:buyer',
    ]);
    const channel = (from: string, to: string) => ({
      from,
      to,
      capacitySat: 2_000_000,
      pushSat: 500_000,
      private: false,
    });
    expect(defaultTopology.channels).toEqual([
      channel('buyer-1', 'hub'),
      channel('buyer-2', 'hub'),
      channel('hub', 'seller-1'),
      channel('hub', 'seller-2'),
    ]);
    // every buyer probes every seller
    expect(defaultTopology.probes).toEqual(
      ['buyer-1', 'buyer-2'].flatMap((from) =>
        ['seller-1', 'seller-2'].map((to) => ({ from, to, amountMsat: 1_000_000 })),
      ),
    );
  });

  it('resolves a built-in by name and a custom one from JSON', () => {
    expect(resolveTopology('default')).toBe(defaultTopology);
    const custom = resolveTopology(
      JSON.stringify({
        name: 'pair',
        nodes: [
          { name: 'a', role: 'buyer' },
          { name: 'b', role: 'seller' },
        ],
        channels: [{ from: 'a', to: 'b', capacitySat: 100_000 }],
        fees: { baseMsat: 0, ratePpm: 0 },
      }),
    );
    expect(custom.channels[0]).toMatchObject({ pushSat: 0, private: false });
    expect(custom.probes).toEqual([]);
  });

  it.each([
    ['an unknown name', 'mesh', 'unknown topology "mesh"; built in: default, or give a .json file'],
    [
      'a channel to a node that does not exist',
      JSON.stringify({ ...defaultTopology, channels: [{ from: 'hub', to: 'ghost', capacitySat: 100_000 }] }),
      'invalid topology at channels[0].to: no node named ghost',
    ],
    [
      'a push as large as the channel',
      JSON.stringify({
        ...defaultTopology,
        channels: [{ from: 'hub', to: 'seller-1', capacitySat: 100_000, pushSat: 100_000 }],
      }),
      'invalid topology at channels[0].pushSat: must be below capacitySat',
    ],
    [
      'a channel below the 20,000 sat minimum',
      JSON.stringify({ ...defaultTopology, channels: [{ from: 'hub', to: 'seller-1', capacitySat: 5_000 }] }),
      'invalid topology at channels[0].capacitySat: expected at least 20,000',
    ],
    [
      'a node name with capitals',
      JSON.stringify({ ...defaultTopology, nodes: [{ name: 'Hub', role: 'hub' }] }),
      'invalid topology at nodes[0].name: expected lowercase letters, digits and dashes, starting with a letter; and 16 more',
    ],
  ])('refuses %s, naming the field as written and what it expects', (_name, input, message) => {
    expect(() => resolveTopology(input)).toThrow(
      expect.objectContaining({ code: 'invalid_topology', message }),
    );
  });
});

describe('node names', () => {
  it.each(['btcd', 'bitcoind'])(
    'refuses a node named %s: the chain daemon’s process record and log',
    (name) => {
      const nodes = [...defaultTopology.nodes, { name, role: 'other' }];
      expect(() => resolveTopology(JSON.stringify({ ...defaultTopology, nodes }))).toThrow(
        expect.objectContaining({
          code: 'invalid_topology',
          message: `invalid topology at nodes[5].name: ${name} is the chain daemon's name (its process record and log); name the node something else`,
        }),
      );
    },
  );
});

describe('--topology: a built-in name or a JSON file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'l402-topology-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('a name is a built-in topology; a path reads the file', async () => {
    expect(await loadTopology('default')).toBe(defaultTopology);
    const path = file('default.json', JSON.stringify({ ...defaultTopology, name: 'copy' }));
    expect((await loadTopology(path)).name).toBe('copy');
  });

  it.each([
    ['an unknown name', () => 'mesh', 'unknown topology "mesh"; built in: default, or give a .json file'],
    ['a missing file', () => join(dir, 'x.json'), `no topology file ${join(dir, 'x.json')}`],
    [
      'a file that is not JSON, by its path and not its contents',
      () => file('bad.json', '{bad\n'),
      `${join(dir, 'bad.json')} is not valid JSON: Expected property name or '}' in JSON at position 1`,
    ],
    [
      'a file with a bad field, naming the file and the field',
      () => file('ghost.json', JSON.stringify({ ...defaultTopology, nodes: [] })),
      `${join(dir, 'ghost.json')}: invalid topology at nodes: expected at least 1 item; and 16 more`,
    ],
    [
      'a path without .json as a file, not a name',
      () => join(dir, 'topo'),
      `no topology file ${join(dir, 'topo')}`,
    ],
  ])('refuses %s', async (_what, arg, message) => {
    await expect(loadTopology(arg())).rejects.toThrow(expect.objectContaining({ message }));
  });
});
