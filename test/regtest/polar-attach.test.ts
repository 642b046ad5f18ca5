import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { systemClock } from '../../infra/time/clock.js';
import { connectNode } from '../../infra/regtest/connect.js';
import { loadNetwork } from '../../infra/regtest/network-file.js';
import { attachPolar } from '../../infra/regtest/polar.js';
import { describeRegtest, regtestAvailability, useRegtest } from './support/regtest.js';

const unavailable = await regtestAvailability();

/**
 * A Polar network folder as Polar lays it out (docker-compose.yml with
 * published ports, volumes/lnd/<name>/…), made from a real native node's
 * certificate and macaroon and pointing at its real REST port. Polar names
 * nodes alice, bob, …; here alice is our buyer-1 and bob our seller-1.
 */
async function fabricatePolarFolder(
  root: string,
  nodes: Array<{
    polarName: string;
    restUrl: string;
    tlsCertPath: string;
    macaroonPath: string;
    p2p: string;
  }>,
): Promise<string> {
  const dir = join(root, 'networks', '1');
  const services: Record<string, unknown> = {
    backend1: {
      image: 'polarlightning/bitcoind:30.0',
      container_name: 'polar-n1-backend1',
      ports: ['18443:18443', '19444:18444', '28334:28334', '29335:28335'],
      volumes: ['./volumes/bitcoind/backend1:/home/bitcoin/.bitcoin'],
    },
  };
  for (const [i, n] of nodes.entries()) {
    const lnddir = join(dir, 'volumes', 'lnd', n.polarName);
    const macaroon = join(lnddir, 'data', 'chain', 'bitcoin', 'regtest', 'admin.macaroon');
    await mkdir(dirname(macaroon), { recursive: true });
    await copyFile(n.tlsCertPath, join(lnddir, 'tls.cert'));
    await copyFile(n.macaroonPath, macaroon);
    services[n.polarName] = {
      image: 'polarlightning/lnd:0.20.0-beta',
      container_name: `polar-n1-${n.polarName}`,
      hostname: n.polarName,
      restart: 'always',
      volumes: [`./volumes/lnd/${n.polarName}:/home/lnd/.lnd`],
      expose: ['8080', '10009', '9735'],
      ports: [`${new URL(n.restUrl).port}:8080`, `${10001 + i}:10009`, `${n.p2p.split(':')[1]}:9735`],
    };
  }
  await writeFile(join(dir, 'docker-compose.yml'), stringify({ version: '3.3', services }));
  return dir;
}

describeRegtest(unavailable, 'attach --polar on a real LND node', () => {
  const rt = useRegtest();
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'polar-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const native = (name: string) => rt.net.nodes.find((n) => n.name === name)!;

  it('describes every LND node of a Polar folder with its real pubkey, ports and files', async () => {
    const dir = await fabricatePolarFolder(root, [
      { polarName: 'alice', ...native('buyer-1') },
      { polarName: 'bob-seller', ...native('seller-1') },
    ]);
    const out = join(root, 'network.json');
    const net = await attachPolar({
      network: dir,
      outPath: out,
      clock: systemClock,
      roles: { alice: 'buyer' },
    });
    expect(net.kind).toBe('polar');
    expect(net.nodes.map((n) => [n.name, n.role, n.pubkey, n.restUrl])).toEqual([
      ['alice', 'buyer', native('buyer-1').pubkey, native('buyer-1').restUrl],
      ['bob-seller', 'seller', native('seller-1').pubkey, native('seller-1').restUrl],
    ]);
    expect(net.nodes[0]!.macaroonPath).toBe(
      join(dir, 'volumes/lnd/alice/data/chain/bitcoin/regtest/admin.macaroon'),
    );
    expect(net.bitcoin).toMatchObject({
      backend: 'bitcoind',
      rpcUrl: 'http://127.0.0.1:18443',
      rpcUser: 'polaruser',
    });

    // What everyone downstream does with it: load the file, connect, pay.
    const loaded = await loadNetwork(out);
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
    ['a folder without docker-compose.yml', async () => join(root, 'empty'), /no docker-compose\.yml/],
    [
      'a node whose macaroon is missing',
      async () => {
        const dir = await fabricatePolarFolder(join(root, 'broken'), [
          { polarName: 'carol', ...native('seller-2') },
        ]);
        await rm(join(dir, 'volumes/lnd/carol/data'), { recursive: true });
        return dir;
      },
      /node carol: .*admin\.macaroon/,
    ],
  ] as const)('refuses %s with a message saying what is missing', async (_name, makeDir, pattern) => {
    const dir = await makeDir();
    await expect(
      attachPolar({ network: dir, outPath: join(root, 'x.json'), clock: systemClock }),
    ).rejects.toMatchObject({
      code: 'polar_attach_failed',
      message: expect.stringMatching(pattern),
    });
  });
});
