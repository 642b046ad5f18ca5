import { afterEach, describe, expect, it } from 'vitest';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import type { AddressPolicy, ResolveAll } from '../../services/registry/index.js';
import {
  HealthProber,
  classifyAddress,
  createProbeFetch,
  nodeSigner,
  probeUrlRefusal,
} from '../../services/registry/index.js';
import { makeMarket } from '../registry/helpers.js';

const servers: Listening[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A listed seller on a real loopback socket, counting the requests it gets. */
async function socketMarket() {
  const m = await makeMarket();
  const seller = await m.addSeller('shop.test', {
    archetype: 'data-feed',
    latency: { kind: 'fixed', ms: 0 },
  });
  const hits = { seller: 0 };
  const http = await listen((req) => {
    hits.seller++;
    return seller.app.fetch(req);
  });
  servers.push(http);
  const signer = await nodeSigner(m.seller);
  const list = async (url: string) => {
    const r = await m.client.register(seller.listing(url), signer);
    if (!r.ok) throw new Error(r.message);
    return r.listing.id;
  };
  const prober = (policy: AddressPolicy, resolve?: ResolveAll) =>
    new HealthProber({
      registry: m.registry,
      clock: m.clock,
      addressPolicy: policy,
      fetch: createProbeFetch({ policy, ...(resolve ? { resolve } : {}) }),
    });
  return { m, http, hits, list, prober };
}

describe('the health prober reaches only what the address policy allows', () => {
  it('does not probe a loopback listing unless the registry runs in lab mode', async () => {
    const { m, http, hits, list, prober } = await socketMarket();
    const id = await list(`${http.url}/v1/anomalies`);
    await prober('public').probeAll();
    expect(m.registry.get(id)!.health).toMatchObject({
      alive: false,
      error: 'forbidden_address',
      failures: 1,
    });
    expect(hits.seller).toBe(0);
    await prober('lab').probeAll();
    expect(m.registry.get(id)!.health).toMatchObject({ alive: true, quotedPriceMsat: 10_000, failures: 0 });
    expect(hits.seller).toBe(1);
  });

  it('refuses a host name that resolves to loopback, checked where the socket connects', async () => {
    const { m, http, hits, list, prober } = await socketMarket();
    const resolve: ResolveAll = (host, _opts, cb) =>
      host === 'seller.internal'
        ? cb(null, [{ address: '127.0.0.1', family: 4 }])
        : cb(Object.assign(new Error(`no host ${host}`), { code: 'ENOTFOUND' }), []);
    const id = await list(`http://seller.internal:${http.port}/v1/anomalies`);
    await prober('public', resolve).probeAll();
    expect(m.registry.get(id)!.health).toMatchObject({ alive: false, error: 'forbidden_address' });
    expect(hits.seller).toBe(0);
    await prober('lab', resolve).probeAll();
    expect(m.registry.get(id)!.health).toMatchObject({ alive: true, quotedPriceMsat: 10_000 });
  });

  it('does not follow a redirect from the listed URL to another origin', async () => {
    const { m, http, hits, list, prober } = await socketMarket();
    const redirector = await listen(() => Response.redirect(`${http.url}/v1/anomalies`, 302));
    servers.push(redirector);
    const id = await list(`${redirector.url}/v1/anomalies`);
    await prober('lab').probeAll();
    expect(m.registry.get(id)!.health).toMatchObject({ alive: false, error: 'redirect' });
    expect(hits.seller).toBe(0);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.5', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00::1', 'private'],
    ['169.254.169.254', 'forbidden'],
    ['0.0.0.0', 'forbidden'],
    ['::', 'forbidden'],
    ['fe80::1', 'forbidden'],
    ['224.0.0.1', 'forbidden'],
    ['not-an-ip', 'forbidden'],
    // Ranges that reach or embed an IPv4 address (it may be loopback or private), and other special-purpose ones.
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::7f00:1', 'forbidden'],
    ['::a00:7', 'forbidden'],
    ['64:ff9b::a00:7', 'forbidden'],
    ['64:ff9b:1::a00:7', 'forbidden'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'forbidden'],
    ['2002:7f00:1::1', 'forbidden'],
    ['192.88.99.1', 'forbidden'],
    ['100::1', 'forbidden'],
    ['2001:2::1', 'forbidden'],
    ['3fff::1', 'forbidden'],
    ['5f00::1', 'forbidden'],
    ['fec0::1', 'private'],
    ['93.184.216.34', 'public'],
    ['2606:4700::1111', 'public'],
  ])('classifies %s as %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each<[string, AddressPolicy, string | undefined]>([
    ['http://2130706433/x', 'public', 'address 127.0.0.1 is not allowed (public policy)'],
    ['http://[::ffff:127.0.0.1]/x', 'public', 'address ::ffff:7f00:1 is not allowed (public policy)'],
    ['http://localhost:8080/x', 'public', 'host localhost is loopback (public policy)'],
    ['http://a.localhost/x', 'public', 'host a.localhost is loopback (public policy)'],
    ['http://localhost:8080/x', 'lab', undefined],
    ['http://169.254.169.254/latest/meta-data', 'lab', 'address 169.254.169.254 is not allowed (lab policy)'],
    ['http://user:pw@shop.example/x', 'public', 'URL carries credentials'],
    ['file:///etc/passwd', 'lab', 'protocol file: is not http(s)'],
    ['https://shop.example/x', 'public', undefined],
  ])('checks the URL %s under the %s policy', (url, policy, refusal) => {
    expect(probeUrlRefusal(url, policy)).toBe(refusal);
  });
});

describe('slow listings do not starve the others', () => {
  it('probes a listing that answered last round first, whatever the slow listings do', async () => {
    const m = await makeMarket();
    const signer = await nodeSigner(m.seller);
    const register = async (host: string) => {
      const s = await m.addSeller(host, { archetype: 'data-feed', latency: { kind: 'fixed', ms: 0 } });
      const r = await m.client.register(s.listing(`http://${host}/v1/anomalies`), signer);
      if (!r.ok) throw new Error(r.message);
      return r.listing.id;
    };
    const honest = await register('honest.test');
    m.delays.set('honest.test', 120);
    for (let i = 0; i < 24; i++) {
      await register(`slow${i}.test`);
      m.delays.set(`slow${i}.test`, 60_000); // never answers within the timeout
    }
    const prober = new HealthProber({
      registry: m.registry,
      fetch: m.fetch,
      clock: m.clock,
      timeoutMs: 5_000,
    });
    const first = prober.probeAll();
    await m.clock.runUntilIdle();
    await first;
    const t = m.clock.now();
    const second = prober.probeAll();
    await m.clock.runUntilIdle(t + 1_000);
    expect(m.registry.get(honest)!.health).toMatchObject({ alive: true, latencyMs: 120, checkedAt: t + 120 });
    await m.clock.runUntilIdle();
    await second;
    const slow = m.registry.all().filter((l) => l.id !== honest);
    expect(slow.map((l) => l.health?.error)).toEqual(Array(24).fill('timeout'));
  });
});
