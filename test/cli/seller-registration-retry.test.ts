/**
 * `npm run seller -- --registry URL` started before its registry is up: it
 * says each failed attempt and when it retries, registers once the registry
 * answers, and a SIGTERM during the retries stops it at once. The seller runs
 * as the user runs it (a child process); the registry is a real server.
 */
import { createServer } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { startRegistryServer, type RegistryServer } from '../../services/registry/index.js';
import { killStartedClis, startCli } from './run-cli.js';

const SELLER = 'services/sellers/cli.ts';
let registry: RegistryServer | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});
afterAll(() => killStartedClis());

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const refused = (at: string) =>
  `registration at ${at} failed (attempt 1 of 8): unreachable: registry unreachable: fetch failed; retrying in 1 s`;

describe('a seller started before its registry', () => {
  it('says its first attempt failed and retries in 1 s, registers once the registry is up, and removes the listing on SIGTERM', async () => {
    const port = await freePort();
    const at = `http://127.0.0.1:${port}`;
    const seller = startCli(SELLER, ['--archetype', 'compute', '--port', '0', '--registry', at]);
    await seller.waitFor(/retrying in 1 s$/m, 'err');
    registry = await startRegistryServer({
      clock: systemClock,
      network: 'regtest',
      port,
      probeIntervalMs: 0,
      addressPolicy: 'lab',
    });
    const [, id] = await seller.waitFor(/^registered as ([0-9a-f]{32}) at (\S+)$/m);

    expect(seller.err()).toBe(`${refused(at)}\n`);
    expect((await fetch(`${at}/listings/${id}`)).status).toBe(200);
    seller.child.kill('SIGTERM');
    expect(await seller.exited()).toBe(0);
    expect(seller.out().trimEnd().split('\n').at(-1)).toBe(`stopped; listing ${id} removed from ${at}`);
    expect(registry.registry.all()).toEqual([]);
  }, 60_000);

  it('stopped by SIGTERM during the retries, it exits 0 at once saying stopped, with no attempt after the first', async () => {
    const port = await freePort();
    const at = `http://127.0.0.1:${port}`;
    const seller = startCli(SELLER, ['--archetype', 'compute', '--port', '0', '--registry', at]);
    await seller.waitFor(/retrying in 1 s$/m, 'err');
    seller.child.kill('SIGTERM');

    expect(await seller.exited()).toBe(0);
    expect(seller.out().trimEnd().split('\n').at(-1)).toBe('stopped');
    expect(seller.err()).toBe(`${refused(at)}\n`);
  }, 30_000);
});
