import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { readState } from '../../infra/regtest/state.js';
import { describeRegtest, regtestAvailability, regtestDriver, useRegtest } from './support/regtest.js';

const run = promisify(execFile);

/**
 * What the compose driver promises beyond what every real-network suite
 * checks: the network came up through `docker compose` on a real engine,
 * the description records gRPC addresses and the chain backend the files
 * name, and the host reaches everything on 127.0.0.1 only.
 */
// vitest.config.ts includes this file only when L402_REGTEST_DRIVER=compose (as CI's compose step sets).
if (regtestDriver() !== 'compose') {
  throw new Error('this suite needs the compose network: run it with L402_REGTEST_DRIVER=compose');
} else {
  const unavailable = await regtestAvailability();
  describeRegtest(unavailable, 'the compose network on a real Docker engine', () => {
    const rt = useRegtest();

    it('is described as a docker network with every lnd on loopback REST and gRPC', async () => {
      expect(rt.net.kind).toBe('docker');
      expect(rt.net.nodes.map((n) => n.name).sort()).toEqual([
        'buyer-1',
        'buyer-2',
        'hub',
        'seller-1',
        'seller-2',
      ]);
      for (const n of rt.net.nodes) {
        expect(n.restUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(n.grpc).toMatch(/^127\.0\.0\.1:\d+$/);
      }
      // docker-compose.local.yml swaps bitcoind for btcd.
      const files = (await readState(rt.stateDir))!.compose!.files;
      const local = files.some((f) => f.endsWith('docker-compose.local.yml'));
      expect(rt.net.bitcoin?.backend).toBe(local ? 'btcd' : 'bitcoind');
    });

    it('runs every service as a container of its project, each publishing only on 127.0.0.1', async () => {
      const state = await readState(rt.stateDir);
      const project = state!.compose!.project;
      const { stdout } = await run('docker', [
        'ps',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Label "com.docker.compose.service"}} {{.Ports}}',
      ]);
      const rows = stdout.trim().split('\n').sort();
      const services = rows.map((r) => r.split(' ')[0]);
      const chain = rt.net.bitcoin!.backend;
      expect(services).toEqual([chain, 'buyer-1', 'buyer-2', 'hub', 'seller-1', 'seller-2'].sort());
      for (const row of rows) {
        const [service, ...rest] = row.split(' ');
        const published = rest
          .join(' ')
          .split(', ')
          .filter((p) => p.includes('->'));
        for (const p of published) expect(p, row).toMatch(/^127\.0\.0\.1:\d+->\d+\/tcp$/);
        const containerPorts = published.map((p) => p.split('->')[1]).sort();
        expect(containerPorts, row).toEqual(
          service === chain ? ['18443/tcp'] : ['10009/tcp', '8080/tcp', '9735/tcp'],
        );
      }
    });

    it('lnd answers on the recorded gRPC port with the certificate network.json names', async () => {
      const hub = await rt.node('hub');
      expect((await hub.info()).pubkey).toBe(rt.net.nodes.find((n) => n.name === 'hub')!.pubkey);
      const [host, port] = rt.net.nodes.find((n) => n.name === 'hub')!.grpc!.split(':');
      const { connect } = await import('node:tls');
      const { readFile } = await import('node:fs/promises');
      const ca = await readFile(rt.net.nodes.find((n) => n.name === 'hub')!.tlsCertPath, 'utf8');
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const s = connect({ host, port: Number(port), ca, ALPNProtocols: ['h2'] }, () => {
          resolve(s.authorized);
          s.end();
        });
        s.once('error', reject);
      });
      expect(authorized).toBe(true);
    });
  });
}
