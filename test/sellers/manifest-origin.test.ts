/**
 * The discovery manifest names where buyers reach the seller: its public
 * origin, never the Host a request sends (the answer is cached for 60 s, so a
 * uri taken from the request would let any client rename the seller).
 */
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { listen } from '../../services/http/listen.js';
import { MANIFEST_PATH } from '../../services/paywall/index.js';
import { createSeller } from '../../services/sellers/index.js';
import { killStartedClis, startCli } from '../cli/run-cli.js';
import { json, makeWorld } from '../paywall/helpers.js';

afterAll(() => killStartedClis());

/** GET `path` from 127.0.0.1:`port` with the Host header `host`, as `curl -H 'Host: …'` sends it. */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

const providerUri = (body: string) => (JSON.parse(body) as { provider: { uri: string } }).provider.uri;

describe('the manifest provider uri', () => {
  it('is the public origin of a seller on a socket, whatever Host the request sends', async () => {
    const w = makeWorld();
    const seller = await createSeller(
      { archetype: 'data-feed' },
      { node: w.seller, clock: w.clock, rng: w.rng, publicOrigin: () => 'https://shop.example' },
    );
    const http = await listen(seller.app.fetch);
    try {
      for (const host of ['evil.example', `127.0.0.1:${http.port}`]) {
        const res = await getWithHost(http.port, MANIFEST_PATH, host);
        expect(res.status).toBe(200);
        expect(providerUri(res.body)).toBe('https://shop.example');
      }
      const inMemory = await json(await seller.app.request(`http://evil.example${MANIFEST_PATH}`));
      expect(inMemory).toEqual(seller.manifest('https://shop.example'));
    } finally {
      await http.close();
    }
  });

  it("is the request's origin only for an in-memory seller without a public origin", async () => {
    const w = makeWorld();
    const seller = await createSeller(
      { archetype: 'data-feed' },
      { node: w.seller, clock: w.clock, rng: w.rng },
    );
    const m = await json(await seller.app.request(`http://feed.test${MANIFEST_PATH}`));
    expect((m.provider as { uri: string }).uri).toBe('http://feed.test');
  });

  it('from the seller CLI is its --public-url, else the address it listens on, whatever Host is sent', async () => {
    const published = startCli('services/sellers/cli.ts', [
      '--archetype',
      'data-feed',
      '--port',
      '0',
      '--public-url',
      'https://shop.example:8443',
    ]);
    const plain = startCli('services/sellers/cli.ts', ['--archetype', 'compute', '--port', '0']);
    const [, publishedPort] = await published.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+):/);
    const [, plainUrl, plainPort] = await plain.waitFor(/listening on (http:\/\/127\.0\.0\.1:(\d+)):/);
    const a = await getWithHost(Number(publishedPort), MANIFEST_PATH, 'evil.example');
    expect(providerUri(a.body)).toBe('https://shop.example:8443');
    const b = await getWithHost(Number(plainPort), MANIFEST_PATH, 'evil.example');
    expect(providerUri(b.body)).toBe(plainUrl);
    published.child.kill('SIGTERM');
    plain.child.kill('SIGTERM');
    expect([await published.exited(), await plain.exited()]).toEqual([0, 0]);
  }, 30_000);
});
