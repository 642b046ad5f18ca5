import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPolarNetwork, polarHomes } from '../../infra/regtest/polar-networks.js';
import { STOPPED, writePolarHome, type FixtureNetwork } from './support/polar-fixture.js';

/** Polar's default ports for the first nodes of each kind (BasePorts + id). */
const market: FixtureNetwork = {
  id: 1,
  name: 'market',
  nodes: [
    {
      name: 'backend1',
      implementation: 'bitcoind',
      version: '29.0',
      image: 'my/bitcoind:custom',
      ports: { rpc: 18443, p2p: 19444, zmqBlock: 28334, zmqTx: 29335 },
    },
    {
      name: 'alice',
      implementation: 'LND',
      version: '0.19.2-beta',
      ports: { rest: 8081, grpc: 10001, p2p: 9735 },
    },
    {
      name: 'bob',
      implementation: 'litd',
      version: '0.15.0-alpha',
      ports: { rest: 8382, grpc: 13002, p2p: 9636, web: 8444 },
    },
    {
      name: 'carol',
      implementation: 'c-lightning',
      version: '25.05',
      ports: { rest: 8183, grpc: 11003, p2p: 9837 },
    },
    {
      name: 'dave',
      implementation: 'LND',
      version: '0.19.2-beta',
      image: 'me/lnd-patched:dev',
      status: STOPPED,
      ports: { rest: 8084, grpc: 10004, p2p: 9738 },
    },
  ],
};

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'polar-home-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const summary = (nodes: Awaited<ReturnType<typeof findPolarNetwork>>['nodes']) =>
  nodes.map((n) => [n.name, n.kind, n.image, n.restPort, n.grpcPort, n.p2pPort, n.status]);

describe.each(['4.0.0', '3.0.0'] as const)("Polar %s's networks.json", (version) => {
  let home = '';
  let dir = '';
  beforeAll(async () => {
    home = join(root, `v${version}`);
    dir = (await writePolarHome(home, version, [market, { ...market, id: 2, name: 'other', nodes: [] }]))[1]!;
  });

  it.each([
    ['its id', '1'],
    ['its name', 'market'],
  ])(
    'finds the network by %s with every node kind, image, port and status Polar recorded',
    async (_w, ref) => {
      const net = await findPolarNetwork(ref, [home]);
      expect({
        id: net.id,
        name: net.name,
        dir: net.dir,
        source: net.source,
        version: net.polarVersion,
      }).toEqual({
        id: 1,
        name: 'market',
        dir,
        source: 'networks.json',
        version,
      });
      expect(summary(net.nodes)).toEqual([
        ['backend1', 'bitcoind', 'my/bitcoind:custom', undefined, undefined, 19444, 'started'],
        ['alice', 'LND', 'polarlightning/lnd:0.19.2-beta', 8081, 10001, 9735, 'started'],
        ['bob', 'litd', 'polarlightning/litd:0.15.0-alpha', 8382, 13002, 9636, 'started'],
        ['carol', 'c-lightning', 'polarlightning/clightning:25.05', 8183, 11003, 9837, 'started'],
        ['dave', 'LND', 'me/lnd-patched:dev', 8084, 10004, 9738, 'stopped'],
      ]);
      expect(net.nodes[0]!.rpcPort).toBe(18443);
    },
  );

  it("takes LND and litd file paths from Polar's record (litd keeps LND's files under lnd/)", async () => {
    const net = await findPolarNetwork(dir, [home]);
    const bob = net.nodes.find((n) => n.name === 'bob')!;
    expect([bob.tlsCertPath, bob.macaroonPath]).toEqual([
      join(dir, 'volumes/litd/bob/lnd/tls.cert'),
      join(dir, 'volumes/litd/bob/lnd/data/chain/bitcoin/regtest/admin.macaroon'),
    ]);
    expect(net.nodes.find((n) => n.name === 'alice')!.macaroonPath).toBe(
      join(dir, 'volumes/lnd/alice/data/chain/bitcoin/regtest/admin.macaroon'),
    );
  });
});

describe('finding a Polar network', () => {
  it('searches ~/.local/share/polar before ~/.polar, as Polar does', () => {
    expect(polarHomes('/home/u')).toEqual(['/home/u/.local/share/polar', '/home/u/.polar']);
  });

  it('uses the XDG folder when both data folders hold the network, and says so', async () => {
    const xdg = join(root, 'both/.local/share/polar');
    const legacy = join(root, 'both/.polar');
    await writePolarHome(xdg, '4.0.0', [market]);
    await writePolarHome(legacy, '3.0.0', [market]);
    const net = await findPolarNetwork('market', [xdg, legacy]);
    expect([net.dir, net.polarVersion, net.notes]).toEqual([
      join(xdg, 'networks/1'),
      '4.0.0',
      [`"market" also names network 1 in ${legacy}; using ${xdg} (the folder Polar uses)`],
    ]);
  });

  it('finds a network only ~/.polar holds when the XDG folder has none', async () => {
    const legacy = join(root, 'legacy-only/.polar');
    await writePolarHome(legacy, '3.0.0', [market]);
    const net = await findPolarNetwork('1', [join(root, 'legacy-only/.local/share/polar'), legacy]);
    expect(net.dir).toBe(join(legacy, 'networks/1'));
  });

  it('reads paths relative to the network folder when the data folder was moved', async () => {
    const old = join(root, 'moved-from');
    await writePolarHome(old, '4.0.0', [market]);
    const moved = join(root, 'moved-to');
    await cp(old, moved, { recursive: true });
    await rm(old, { recursive: true });
    const alice = (await findPolarNetwork('market', [moved])).nodes.find((n) => n.name === 'alice')!;
    expect(alice.tlsCertPath).toBe(join(moved, 'networks/1/volumes/lnd/alice/tls.cert'));
  });

  it('refuses a name two networks share, listing their ids', async () => {
    const home = join(root, 'dupes');
    await writePolarHome(home, '4.0.0', [market, { ...market, id: 4 }]);
    await expect(findPolarNetwork('market', [home])).rejects.toThrow(
      '2 Polar networks are named "market" (ids 1, 4): pass the id',
    );
  });

  it('refuses an unknown network, listing the ones there are', async () => {
    const home = join(root, 'unknown');
    await writePolarHome(home, '4.0.0', [market]);
    await expect(findPolarNetwork('nope', [home])).rejects.toThrow(
      `no Polar network with id or name "nope"; there are: 1 "market" (${home})`,
    );
  });

  it('says where it looked when no data folder has a networks.json', async () => {
    await expect(findPolarNetwork('1', [join(root, 'none-a'), join(root, 'none-b')])).rejects.toThrow(
      `no Polar networks.json in ${join(root, 'none-a')} or ${join(root, 'none-b')}: pass the network folder, or --polar-home <Polar data folder>`,
    );
  });

  it('names the file and field when networks.json is not a Polar networks file', async () => {
    const home = join(root, 'bad');
    await mkdir(join(home, 'networks'), { recursive: true });
    await writeFile(join(home, 'networks/networks.json'), JSON.stringify({ networks: [{ id: 'one' }] }));
    await expect(findPolarNetwork('1', [home])).rejects.toThrow(
      expect.objectContaining({
        message: `${join(home, 'networks/networks.json')} is not a Polar networks file: networks[0].id: expected a number, got "one"; networks[0].name: required: add name; networks[0].path: required: add path; networks[0].nodes: required: add nodes`,
      }),
    );
  });

  it.each(['4.0.0', '3.0.0'] as const)(
    "reads a folder without networks.json from Polar %s's compose file: kinds from the data mounts, custom images included",
    async (version) => {
      const home = join(root, `compose-${version}`);
      const dir = (await writePolarHome(home, version, [market]))[1]!;
      const bare = join(root, `bare-${version}`, '1');
      await mkdir(bare, { recursive: true });
      await writeFile(join(bare, 'docker-compose.yml'), await readFile(join(dir, 'docker-compose.yml')));
      const net = await findPolarNetwork(bare, [home]);
      expect([net.source, net.id]).toEqual(['docker-compose.yml', 1]);
      expect(summary(net.nodes)).toEqual([
        ['backend1', 'bitcoind', 'my/bitcoind:custom', undefined, undefined, 19444, undefined],
        ['alice', 'LND', 'polarlightning/lnd:0.19.2-beta', 8081, 10001, 9735, undefined],
        ['bob', 'litd', 'polarlightning/litd:0.15.0-alpha', 8382, 13002, 9636, undefined],
        ['carol', 'c-lightning', 'polarlightning/clightning:25.05', 8183, 11003, 9837, undefined],
        ['dave', 'LND', 'me/lnd-patched:dev', 8084, 10004, 9738, undefined],
      ]);
      expect(net.nodes.find((n) => n.name === 'bob')!.tlsCertPath).toBe(
        join(bare, 'volumes/litd/bob/lnd/tls.cert'),
      );
      expect(net.nodes[0]!.rpcPort).toBe(18443);
    },
  );
});
