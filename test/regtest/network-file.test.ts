import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadNetwork,
  nodeByName,
  nodesByRole,
  parseNetwork,
  saveNetwork,
  type NetworkDesc,
} from '../../infra/regtest/network-file.js';

const PUB = (c: string): string => '02' + c.repeat(64);

const valid: NetworkDesc = {
  version: 1,
  kind: 'docker',
  network: 'regtest',
  createdAt: '2026-01-01T00:00:00.000Z',
  nodes: [
    {
      name: 'hub',
      role: 'hub',
      restUrl: 'https://127.0.0.1:8081',
      tlsCertPath: 'docker/lnd/hub/tls.cert',
      macaroonPath: 'docker/lnd/hub/data/chain/bitcoin/regtest/admin.macaroon',
      pubkey: PUB('a'),
      p2p: '127.0.0.1:9735',
    },
    {
      name: 'buyer-1',
      role: 'buyer',
      restUrl: 'https://127.0.0.1:8084',
      tlsCertPath: '/abs/tls.cert',
      macaroonPath: '/abs/admin.macaroon',
      pubkey: PUB('b'),
      p2p: '127.0.0.1:9738',
    },
  ],
  bitcoin: {
    backend: 'bitcoind',
    rpcUrl: 'http://127.0.0.1:18443',
    rpcUser: 'polaruser',
    rpcPass: 'polarpass',
  },
  channels: [{ from: 'buyer-1', to: 'hub', capacitySat: 2_000_000, channelPoint: 'ab:1' }],
};

describe('network.json', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netfile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through save and load, resolving relative paths against the file', async () => {
    const path = join(dir, 'sub', 'network.json');
    await saveNetwork(path, valid);
    const loaded = await loadNetwork(path);
    expect(loaded.nodes[0]!.tlsCertPath).toBe(join(dir, 'sub', 'docker/lnd/hub/tls.cert'));
    expect(loaded.nodes[1]!.macaroonPath).toBe('/abs/admin.macaroon');
    expect({ ...loaded, nodes: valid.nodes }).toEqual(valid);
  });

  const noBuyer = 'channels[0].from: no node named buyer-1';
  it.each([
    [
      'a node with an http REST URL',
      { nodes: [{ ...valid.nodes[0]!, restUrl: 'http://127.0.0.1:8081' }] },
      ['nodes[0].restUrl: must be an https:// URL', noBuyer],
    ],
    [
      'a pubkey that is not a compressed key',
      { nodes: [{ ...valid.nodes[0]!, pubkey: 'abc' }] },
      ['nodes[0].pubkey: must be a 33-byte compressed public key in lowercase hex', noBuyer],
    ],
    [
      'a p2p address without a port',
      { nodes: [{ ...valid.nodes[0]!, p2p: 'hub' }] },
      ['nodes[0].p2p: must be host:port', noBuyer],
    ],
    [
      'an unknown role',
      { nodes: [{ ...valid.nodes[0]!, role: 'king' }] },
      ['nodes[0].role: expected hub | seller | buyer | router | reseller | other, got "king"'],
    ],
    [
      'two nodes with one name',
      { nodes: [valid.nodes[0]!, { ...valid.nodes[1]!, name: 'hub' }] },
      ['nodes[1].name: duplicate node name hub', noBuyer],
    ],
    [
      'a channel to a node that is not there',
      { channels: [{ ...valid.channels[0]!, to: 'ghost' }] },
      ['channels[0].to: no node named ghost'],
    ],
    ['an unknown kind', { kind: 'cloud' }, ['kind: expected native | docker | polar, got "cloud"']],
    [
      'no nodes at all',
      { nodes: [] },
      ['nodes: expected at least 1 item', noBuyer, 'channels[0].to: no node named hub'],
    ],
    [
      'a bitcoind RPC URL that is not a URL',
      { bitcoin: { ...valid.bitcoin, rpcUrl: 'nope' } },
      ['bitcoin.rpcUrl: expected a URL, got "nope"'],
    ],
  ])('refuses %s, naming each bad field as written and what it expects', (_name, patch, lines) => {
    expect(() => parseNetwork({ ...valid, ...patch }, 'test.json')).toThrow(
      expect.objectContaining({
        code: 'invalid',
        message: ['test.json is not a valid network description:', ...lines].join('\n  '),
      }),
    );
  });

  it('refuses a list where the description belongs, naming the top level', () => {
    expect(() => parseNetwork([], 'test.json')).toThrow(
      expect.objectContaining({
        message:
          'test.json is not a valid network description:\n  the top level: expected an object (key: value entries), got a list',
      }),
    );
  });

  it('says how to get a network when the file is missing, and what is wrong when it is not JSON', async () => {
    await expect(loadNetwork(join(dir, 'nope.json'))).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/network:up/),
    });
    await writeFile(join(dir, 'bad.json'), '{ nodes: ');
    await expect(loadNetwork(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'invalid_json' });
  });

  it('finds nodes by name and by role', () => {
    expect(nodeByName(valid, 'buyer-1').pubkey).toBe(PUB('b'));
    expect(nodesByRole(valid, 'buyer').map((n) => n.name)).toEqual(['buyer-1']);
    expect(() => nodeByName(valid, 'seller-9')).toThrow(
      /no node named seller-9; the network has hub, buyer-1/,
    );
  });
});
