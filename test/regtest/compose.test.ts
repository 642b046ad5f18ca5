import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readComposeLayout } from '../../infra/regtest/docker.js';
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
      ]) {
        expect(flags).toContain(flag);
      }
      expect(svc.depends_on?.bitcoind?.condition).toBe('service_healthy');
      expect(svc.volumes).toEqual([`./.regtest/docker/lnd/${name}:/home/lnd/.lnd`]);
      expect(svc.environment).toMatchObject({ USERID: '${USERID:-1000}', GROUPID: '${GROUPID:-1000}' });
      expect(JSON.stringify(svc.healthcheck.test)).toMatch(/SERVER_ACTIVE/);
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

  it('publishes distinct loopback ports that the driver reads back', () => {
    const layout = readComposeLayout(text, ROOT);
    expect(layout.bitcoindRpcPort).toBe(18443);
    expect(new Set(layout.lnd.map((l) => l.restPort)).size).toBe(5);
    expect(new Set(layout.lnd.map((l) => l.p2pPort)).size).toBe(5);
    expect(layout.lnd.find((l) => l.name === 'hub')).toMatchObject({
      restPort: 8081,
      lnddir: join(ROOT, '.regtest/docker/lnd/hub'),
    });
    for (const [, s] of Object.entries(doc.services))
      for (const p of s.ports) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('the layout reader refuses an LND service it cannot use, naming it', () => {
    const broken = text.replace("'127.0.0.1:8081:8080'", "'127.0.0.1:8081:8089'");
    expect(() => readComposeLayout(broken, ROOT)).toThrow(/compose service hub: needs ports for 8080/);
  });
});
