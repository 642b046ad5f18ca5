import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readComposeLayout } from '../../infra/regtest/compose-layout.js';
import { BTCD, LND } from '../../infra/regtest/go-targets.js';
import { LOCAL_IMAGES } from '../../infra/regtest/images.js';
import { COMMIT_SAT_PER_VBYTE } from '../../infra/regtest/fee-rates.js';
import { lndArgs } from '../../infra/regtest/native-daemons.js';
import { defaultTopology } from '../../infra/regtest/topology.js';

// `docker compose config` needs an engine; this checks the file's structure instead.
const ROOT = resolve(import.meta.dirname, '../..');
const text = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
const doc = parse(text) as {
  name: string;
  services: Record<
    string,
    {
      image: string;
      command: string;
      ports: string[];
      volumes: string[];
      environment: Record<string, string>;
      healthcheck: { test: string[] | string };
      depends_on?: Record<string, { condition: string }>;
    }
  >;
};
const lndServices = Object.entries(doc.services).filter(([, s]) => s.image.includes('/lnd:'));

describe('docker-compose.yml', () => {
  it('pins the Polar images REGTEST.md names and has one LND service per default-topology node', () => {
    expect(doc.services.bitcoind!.image).toBe('polarlightning/bitcoind:30.0');
    expect(lndServices.map(([, s]) => s.image)).toEqual(Array(5).fill('polarlightning/lnd:0.20.0-beta'));
    expect(lndServices.map(([name]) => name).sort()).toEqual(defaultTopology.nodes.map((n) => n.name).sort());
  });

  it.each(lndServices)(
    '%s runs lnd with the regtest flags, waits for a healthy bitcoind, and keeps its data in ./.regtest',
    (name, svc) => {
      const flags = svc.command.split(/\s+/);
      expect(flags[0]).toBe('lnd');
      for (const flag of [
        '--noseedbackup',
        '--bitcoin.regtest',
        '--bitcoin.node=bitcoind',
        '--bitcoind.rpchost=bitcoind',
        '--bitcoind.zmqpubrawblock=tcp://bitcoind:28334',
        '--bitcoind.zmqpubrawtx=tcp://bitcoind:28335',
        '--restlisten=0.0.0.0:8080',
        '--listen=0.0.0.0:9735',
        '--bitcoin.defaultchanconfs=1',
        `--alias=${name}`,
        `--tlsextradomain=${name}`,
        `--bitcoin.basefee=${defaultTopology.fees.baseMsat}`,
        `--bitcoin.feerate=${defaultTopology.fees.ratePpm}`,
        // The commitment fee cap native lnds get: the same balances in both worlds.
        `--max-commit-fee-rate-anchors=${COMMIT_SAT_PER_VBYTE}`,
      ]) {
        expect(flags).toContain(flag);
      }
      expect(svc.depends_on?.bitcoind?.condition).toBe('service_healthy');
      expect(svc.volumes).toEqual([`./.regtest/docker/lnd/${name}:/home/lnd/.lnd`]);
      expect(svc.environment).toMatchObject({ USERID: '${USERID:-1000}', GROUPID: '${GROUPID:-1000}' });
      expect(JSON.stringify(svc.healthcheck.test)).toMatch(/SERVER_ACTIVE/);
    },
  );

  it.each(lndServices)(
    '%s has every behaviour flag a native lnd gets (the same network in both worlds)',
    (name, svc) => {
      const native = lndArgs({
        name,
        lnddir: '/d',
        p2p: 1,
        grpc: 2,
        rest: 3,
        btcdRpc: 4,
        rpcCert: '/c',
        fees: defaultTopology.fees,
      });
      // Where a node lives and which chain backend it talks to differ by design; everything else must match.
      const place =
        /^--(lnddir|configfile|listen|rpclisten|restlisten|alias|debuglevel|bitcoin\.node|btcd\.)/;
      const behaviour = native.filter((f) => !place.test(f));
      expect(behaviour).toContain('--nobootstrap');
      expect(svc.command.split(/\s+/)).toEqual(expect.arrayContaining(behaviour));
    },
  );

  it('bitcoind uses Polar flags and credentials that match the rpcauth line', async () => {
    const { createHmac } = await import('node:crypto');
    const cmd = doc.services.bitcoind!.command;
    for (const flag of [
      '-regtest=1',
      '-txindex=1',
      '-rpcport=18443',
      '-fallbackfee=0.0002',
      '-zmqpubrawblock=tcp://0.0.0.0:28334',
    ]) {
      expect(cmd.split(/\s+/)).toContain(flag);
    }
    // Compose turns $$ into $; rpcauth is user:salt$hmac_sha256(salt, password).
    const [, salt, hmac] = /-rpcauth=polaruser:([0-9a-f]+)\$\$([0-9a-f]+)/.exec(cmd)!;
    expect(createHmac('sha256', salt!).update('polarpass').digest('hex')).toBe(hmac);
    expect(JSON.stringify(doc.services.bitcoind!.healthcheck.test)).toContain('-rpcpassword=polarpass');
  });

  it('bitcoind gets no option Bitcoin Core 30.0 removed (-upnp: it refuses to start on an unknown option)', () => {
    const options = doc.services.bitcoind!.command.split(/\s+/).map((a) => a.split('=')[0]);
    expect(options.filter((o) => o === '-upnp')).toEqual([]);
  });

  it('publishes distinct loopback ports that the driver reads back', () => {
    const layout = readComposeLayout(doc, ROOT);
    expect(layout.chain).toEqual({
      name: 'bitcoind',
      backend: 'bitcoind',
      rpcPort: 18443,
      dataDir: join(ROOT, '.regtest/docker/bitcoind'),
    });
    expect(new Set(layout.lnd.map((l) => l.restPort)).size).toBe(5);
    expect(new Set(layout.lnd.map((l) => l.p2pPort)).size).toBe(5);
    expect(layout.lnd.find((l) => l.name === 'hub')).toMatchObject({
      restPort: 8081,
      grpcPort: 10001,
      lnddir: join(ROOT, '.regtest/docker/lnd/hub'),
    });
    for (const [, s] of Object.entries(doc.services))
      for (const p of s.ports) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('the layout reader refuses an LND service it cannot use, naming it', () => {
    const broken = text.replace("'127.0.0.1:8081:8080'", "'127.0.0.1:8081:8089'");
    expect(() => readComposeLayout(parse(broken), ROOT)).toThrow(/compose service hub: needs ports for 8080/);
  });
});

describe('docker-compose.local.yml (no registry: local images, btcd backend)', () => {
  const localText = readFileSync(join(ROOT, 'docker-compose.local.yml'), 'utf8');
  // `!override` / `!reset` are Compose's merge tags; the YAML reader here keeps their values as they are.
  const local = parse(localText, { merge: true, logLevel: 'error' }) as {
    services: Record<string, { image?: string; command?: string; profiles?: string[]; volumes?: string[] }>;
  };

  it('names the locally built images by their pinned versions', () => {
    expect(LOCAL_IMAGES.map((i) => i.tag)).toEqual([
      `l402-lab/lnd:${LND.version.slice(1)}`,
      `l402-lab/btcd:${BTCD.version.slice(1)}`,
    ]);
    expect(local.services.btcd!.image).toBe(`l402-lab/btcd:${BTCD.version.slice(1)}`);
    for (const [name] of lndServices)
      expect(local.services[name]!.image, name).toBe(`l402-lab/lnd:${LND.version.slice(1)}`);
  });

  it('keeps bitcoind out (a profile nobody activates) and runs btcd with the published RPC port bitcoind had', () => {
    expect(local.services.bitcoind).toEqual({ profiles: ['bitcoind'] });
    const layout = readComposeLayout(
      { services: { btcd: local.services.btcd, ...Object.fromEntries(lndServices) } },
      ROOT,
    );
    expect(layout.chain).toEqual({
      name: 'btcd',
      backend: 'btcd',
      rpcPort: 18443,
      dataDir: join(ROOT, '.regtest/docker/btcd'),
    });
    expect(local.services.btcd!.command).toMatch(/--miningaddr=\$\{L402_MINING_ADDRESS:\?/);
  });

  it.each(lndServices.map(([name]) => name))('%s keeps its base flags but uses btcd over TLS', (name) => {
    const base = doc.services[name]!.command.split(/\s+/);
    const flags = local.services[name]!.command!.split(/\s+/);
    const bitcoindFlags = (f: string) => f.startsWith('--bitcoind.') || f === '--bitcoin.node=bitcoind';
    expect(
      flags.filter(
        (f) => !f.startsWith('--btcd.') && f !== '--bitcoin.node=btcd' && f !== '--lnddir=/home/lnd/.lnd',
      ),
    ).toEqual(base.filter((f) => !bitcoindFlags(f)));
    expect(flags).toEqual(
      expect.arrayContaining([
        '--bitcoin.node=btcd',
        '--btcd.rpchost=btcd:18443',
        '--btcd.rpcuser=polaruser',
        '--btcd.rpcpass=polarpass',
        '--btcd.rpccert=/btcd/rpc.cert',
      ]),
    );
  });

  it('mounts btcd’s data folder read-only where the lnd flags look for rpc.cert', () => {
    expect(localText).toContain('- ./.regtest/docker/btcd:/btcd:ro');
    expect(localText).toMatch(/depends_on: !override\n\s+btcd:\n\s+condition: service_healthy/);
  });
});
