import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { systemClock } from '../../infra/time/clock.js';
import { connectNode } from '../../infra/regtest/connect.js';
import { loadNetwork, type NodeDesc } from '../../infra/regtest/network-file.js';
import { attachPolar, type PolarAttachOptions } from '../../infra/regtest/polar.js';
import { freePorts } from '../../infra/regtest/processes.js';
import { STOPPED, writePolarHome, type FixtureNode } from './support/polar-fixture.js';
import { describeRegtest, regtestAvailability, useRegtest } from './support/regtest.js';

const unavailable = await regtestAvailability();

/**
 * Polar data folders in Polar's own formats (see support/polar-fixture.ts)
 * whose LND and litd nodes are real native nodes: their ports are the
 * native nodes' ports and their folders hold those nodes' tls.cert and
 * admin.macaroon. Polar names nodes alice, bob, …
 */
describeRegtest(unavailable, 'attach --polar on real LND nodes', () => {
  const rt = useRegtest();
  let root = '';
  let closed = 0;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'polar-'));
    [closed] = (await freePorts(1)) as [number];
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const native = (name: string): NodeDesc => rt.net.nodes.find((n) => n.name === name)!;
  /** A Polar LND (or litd) node served by a native node. */
  const lnd = (name: string, from: string, extra: Partial<FixtureNode> = {}): FixtureNode => {
    const n = native(from);
    return {
      name,
      implementation: 'LND',
      version: '0.20.0-beta',
      ports: {
        rest: Number(new URL(n.restUrl).port),
        grpc: Number(n.grpc!.split(':')[1]),
        p2p: Number(n.p2p.split(':')[1]),
        web: 8443,
      },
      from: n,
      ...extra,
    };
  };
  const backend: FixtureNode = {
    name: 'backend1',
    implementation: 'bitcoind',
    version: '29.0',
    image: 'my/bitcoind:custom',
    ports: { rpc: 18443, p2p: 19444, zmqBlock: 28334, zmqTx: 29335 },
  };
  const attach = (home: string, network: string, extra: Partial<PolarAttachOptions> = {}) =>
    attachPolar({
      network,
      homes: [home],
      outPath: join(root, `${network}.json`),
      clock: systemClock,
      probeMs: 1_000,
      ...extra,
    });

  it('attaches LND, litd and custom-image LND nodes by network name, names the c-lightning node it left out, and the result pays', async () => {
    const home = join(root, 'current');
    await writePolarHome(home, '4.0.0', [
      {
        id: 1,
        name: 'market',
        nodes: [
          backend,
          lnd('alice', 'buyer-1'),
          lnd('bob', 'seller-1', { implementation: 'litd', version: '0.15.0-alpha' }),
          {
            name: 'carol',
            implementation: 'c-lightning',
            version: '25.05',
            ports: { rest: 8183, grpc: 11003, p2p: 9837 },
          },
          lnd('dave', 'seller-2', { image: 'me/lnd-patched:dev' }),
        ],
      },
    ]);
    const { net, warnings } = await attach(home, 'market', { roles: { alice: 'buyer', bob: 'seller' } });
    expect(warnings).toEqual([
      'left out carol (c-lightning, image polarlightning/clightning:25.05): only LND and litd nodes are attached',
    ]);
    expect(net.nodes.map((n) => [n.name, n.role, n.pubkey, n.restUrl, n.grpc])).toEqual(
      (
        [
          ['alice', 'buyer', 'buyer-1'],
          ['bob', 'seller', 'seller-1'],
          ['dave', 'other', 'seller-2'],
        ] as const
      ).map(([name, role, from]) => [
        name,
        role,
        native(from).pubkey,
        native(from).restUrl,
        native(from).grpc,
      ]),
    );
    expect(net.nodes[1]!.macaroonPath).toBe(
      join(home, 'networks/1/volumes/litd/bob/lnd/data/chain/bitcoin/regtest/admin.macaroon'),
    );
    expect(net.bitcoin).toEqual({
      backend: 'bitcoind',
      rpcUrl: 'http://127.0.0.1:18443',
      rpcUser: 'polaruser',
      rpcPass: 'polarpass',
      faucetSeed: 'polar',
    });

    // What everyone downstream does with it: load the file, connect, pay.
    const loaded = await loadNetwork(join(root, 'market.json'));
    const alice = await connectNode(loaded.nodes[0]!);
    const bob = await connectNode(loaded.nodes[1]!);
    try {
      const invoice = await bob.createInvoice({ amountMsat: 2_000_000, memo: 'polar' });
      expect(await alice.pay(invoice.paymentRequest)).toMatchObject({ status: 'succeeded', hops: 2 });
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  it.each([
    [
      'a node the network does not have',
      { zed: 'seller' },
      /--role zed=seller: Polar network 1 "market" has no node named zed; it has backend1, alice, bob, carol, dave/,
    ],
    [
      'a c-lightning node',
      { carol: 'seller' },
      /--role carol=seller: carol is a c-lightning, image polarlightning\/clightning:25\.05 node; roles go to LND or litd nodes only/,
    ],
    [
      'the bitcoind node',
      { backend1: 'hub' },
      /--role backend1=hub: backend1 is a bitcoind, image my\/bitcoind:custom node/,
    ],
  ] as const)('refuses --role for %s', async (_what, roles, message) => {
    await expect(attach(join(root, 'current'), 'market', { roles })).rejects.toMatchObject({
      code: 'polar_attach_failed',
      message: expect.stringMatching(message),
    });
  });

  it('attaches a pre-v3.1 network by id from ~/.polar when the XDG folder does not exist', async () => {
    const legacy = join(root, 'home-legacy/.polar');
    await writePolarHome(legacy, '3.0.0', [
      { id: 3, name: 'old', nodes: [backend, lnd('alice', 'buyer-1'), lnd('bob', 'seller-1')] },
    ]);
    const { net, warnings } = await attachPolar({
      network: '3',
      homes: [join(root, 'home-legacy/.local/share/polar'), legacy],
      outPath: join(root, 'old.json'),
      clock: systemClock,
    });
    expect(warnings).toEqual([]);
    expect(net.nodes.map((n) => [n.name, n.pubkey])).toEqual([
      ['alice', native('buyer-1').pubkey],
      ['bob', native('seller-1').pubkey],
    ]);
  });

  it('tells two networks on the same ports apart: the running one attaches, the other is refused as answering for another node', async () => {
    const home = join(root, 'same-ports');
    // Both record alice on buyer-1's ports; only alpha's files belong to the node that answers there.
    await writePolarHome(home, '4.0.0', [
      { id: 1, name: 'alpha', nodes: [backend, lnd('alice', 'buyer-1')] },
      {
        id: 2,
        name: 'beta',
        status: STOPPED,
        nodes: [backend, lnd('alice', 'buyer-1', { from: native('seller-2') })],
      },
    ]);
    expect((await attach(home, 'alpha')).net.nodes[0]!.pubkey).toBe(native('buyer-1').pubkey);
    await expect(attach(home, 'beta')).rejects.toThrow(
      /Polar network 2 "beta": alice: .*answers as another node: is another Polar network running on the same ports\?/,
    );
  });

  it('says which node is stopped and offers --running-only, which attaches the rest and names the one left out', async () => {
    const home = join(root, 'stopped-node');
    await writePolarHome(home, '4.0.0', [
      {
        id: 1,
        name: 'gamma',
        nodes: [
          backend,
          lnd('alice', 'buyer-1'),
          { ...lnd('erin', 'seller-2'), status: STOPPED, ports: { rest: closed, grpc: closed, p2p: closed } },
        ],
      },
    ]);
    await expect(attach(home, 'gamma')).rejects.toThrow(
      `Polar network 1 "gamma": erin is stopped (nothing answers at 127.0.0.1:${closed}); start it in Polar, or attach only the running nodes with --running-only`,
    );
    const { net, warnings } = await attach(home, 'gamma', { runningOnly: true });
    expect(net.nodes.map((n) => n.name)).toEqual(['alice']);
    expect(warnings).toEqual(['left out erin (LND, image polarlightning/lnd:0.20.0-beta): stopped']);
    await expect(attach(home, 'gamma', { runningOnly: true, roles: { erin: 'seller' } })).rejects.toThrow(
      '--role erin=seller names a stopped node; start it in Polar',
    );
  });

  it('says a stopped network is stopped, not a TLS or connection error', async () => {
    const home = join(root, 'stopped-net');
    await writePolarHome(home, '4.0.0', [
      {
        id: 5,
        name: 'delta',
        status: STOPPED,
        nodes: [backend, { ...lnd('alice', 'buyer-1'), ports: { rest: closed, grpc: closed, p2p: closed } }],
      },
    ]);
    await expect(attach(home, 'delta')).rejects.toThrow(
      `Polar network 5 "delta" is stopped (Polar records it as stopped): no LND node answers (alice at 127.0.0.1:${closed}); start it in Polar, then attach again`,
    );
  });

  it('attaches a network without bitcoind, warning that mining is unavailable', async () => {
    const home = join(root, 'no-bitcoind');
    await writePolarHome(home, '4.0.0', [{ id: 1, name: 'lonely', nodes: [lnd('alice', 'buyer-1')] }]);
    const { net, warnings } = await attach(home, 'lonely');
    expect(net.bitcoin).toBeUndefined();
    expect(warnings).toEqual([
      'no bitcoind node: network.json has no bitcoin section (mining and the faucet are unavailable)',
    ]);
    expect((await loadNetwork(join(root, 'lonely.json'))).nodes.map((n) => n.pubkey)).toEqual([
      native('buyer-1').pubkey,
    ]);
  });

  it('reads a bare folder (no networks.json) from its compose file and refuses a node whose macaroon is missing', async () => {
    const dir = join(root, 'bare', '7');
    const n = native('seller-2');
    const lnddir = join(dir, 'volumes/lnd/carol');
    await mkdir(join(lnddir, 'data/chain/bitcoin/regtest'), { recursive: true });
    await copyFile(n.tlsCertPath, join(lnddir, 'tls.cert'));
    const port = (hp: string) => hp.split(':')[1];
    await writeFile(
      join(dir, 'docker-compose.yml'),
      stringify({
        name: 'polar-network-7',
        services: {
          carol: {
            image: 'polarlightning/lnd:0.20.0-beta',
            volumes: ['./volumes/lnd/carol:/home/lnd/.lnd'],
            ports: [`${new URL(n.restUrl).port}:8080`, `${port(n.grpc!)}:10009`, `${port(n.p2p)}:9735`],
          },
        },
      }),
    );
    await expect(attach(join(root, 'nowhere'), dir)).rejects.toThrow(
      /carol: cannot read macaroon at .*admin\.macaroon/,
    );
    await copyFile(n.macaroonPath, join(lnddir, 'data/chain/bitcoin/regtest/admin.macaroon'));
    const { net, warnings } = await attach(join(root, 'nowhere'), dir);
    expect(net.nodes.map((x) => [x.name, x.pubkey])).toEqual([['carol', n.pubkey]]);
    expect(warnings).toEqual([
      `no Polar networks.json describes ${dir}: node kinds and ports read from its docker-compose.yml`,
      'no bitcoind node: network.json has no bitcoin section (mining and the faucet are unavailable)',
    ]);
  });
});
