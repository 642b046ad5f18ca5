/**
 * The health prober resolves a listing's host name through the registry's own name resolution
 * (c-ares, the registration check's code), here against a nameserver on 127.0.0.1 (no internet),
 * checks every address against its policy and connects to the address it checked, naming the host
 * (Host header, TLS SNI). A lookup that fails or never ends is a failed probe naming why, within
 * the probe's time limit, and holds none of libuv's threads: `dns.lookup` elsewhere in the process
 * still answers. Real seller and sockets; the prober on a virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lookup } from 'node:dns/promises';
import { createServer as createTlsServer } from 'node:tls';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import {
  HealthProber,
  createProbeFetch,
  nodeSigner,
  type AddressPolicy,
} from '../../services/registry/index.js';
import { startNameserver, type TestNameserver } from './dns-server-fixture.js';
import { makeMarket } from './helpers.js';
import { PUBLIC_ADDRESS } from './lookup-fixture.js';

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c.close();
});

async function nameserver(names: Record<string, string[]>, dropped: string[] = []) {
  const ns = await startNameserver(names, dropped);
  closing.push(ns);
  return ns;
}

/** A seller on a real loopback socket noting each request's Host header, and the market that lists it. */
async function socketMarket() {
  const m = await makeMarket();
  const seller = await m.addSeller('shop.test', {
    archetype: 'data-feed',
    latency: { kind: 'fixed', ms: 0 },
  });
  const hosts: string[] = [];
  const http: Listening = await listen((req) => {
    hosts.push(req.headers.get('host') ?? '');
    return seller.app.fetch(req);
  });
  closing.push(http);
  const signer = await nodeSigner(m.seller);
  const list = async (url: string) => {
    const r = await m.client.register(seller.listing(url), signer);
    if (!r.ok) throw new Error(r.message);
    return r.listing.id;
  };
  const prober = (policy: AddressPolicy, ns: TestNameserver | string, timeoutMs = 5_000) =>
    new HealthProber({
      registry: m.registry,
      clock: m.clock,
      addressPolicy: policy,
      timeoutMs,
      fetch: createProbeFetch({
        policy,
        clock: m.clock,
        nameservers: [typeof ns === 'string' ? ns : ns.server],
      }),
    });
  return { m, http, hosts, list, prober };
}

/** Lets the event loop turn until `ready()` (lookups got as far as the nameserver). */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; !ready(); i++) {
    if (i === 400) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the prober resolves a listing host name through the registry name resolution', () => {
  it('asks the nameserver once (A and AAAA), connects to the address it checked with the name as Host, and records the seller alive', async () => {
    const ns = await nameserver({ 'shop.example': ['127.0.0.1'] });
    const { m, http, hosts, list, prober } = await socketMarket();
    const id = await list(`http://shop.example:${http.port}/v1/anomalies`);
    await prober('lab', ns).probeAll();
    expect(m.registry.get(id)!.health).toMatchObject({ alive: true, quotedPriceMsat: 10_000, failures: 0 });
    expect(hosts).toEqual([`shop.example:${http.port}`]);
    expect(ns.queries).toEqual(['shop.example A', 'shop.example AAAA']);
  });

  it('names the host in TLS SNI when it connects to the address it resolved', async () => {
    const ns = await nameserver({ 'secure.example': ['127.0.0.1'] });
    const names: string[] = [];
    const tls = createTlsServer({
      SNICallback: (name, done) => {
        names.push(name);
        done(new Error('no certificate here'));
      },
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    closing.push({ close: () => new Promise((resolve) => tls.close(() => resolve())) });
    const port = (tls.address() as { port: number }).port;
    const { m, list, prober } = await socketMarket();
    const id = await list(`https://secure.example:${port}/v1/anomalies`);
    await prober('lab', ns).probeAll();
    expect(names).toEqual(['secure.example']);
    expect(m.registry.get(id)!.health).toMatchObject({ alive: false, error: 'unreachable' });
  });

  it.each([
    ['a name with a loopback address among public ones, under public', 'mixed.example', 'forbidden_address'],
    ['a name the nameserver does not know (NXDOMAIN)', 'gone.example', 'unresolvable_host'],
  ])('fails the probe of %s as %s without connecting', async (_what, host, error) => {
    const ns = await nameserver({ 'mixed.example': [PUBLIC_ADDRESS, '127.0.0.1'] });
    const { m, http, hosts, list, prober } = await socketMarket();
    const id = await list(`http://${host}:${http.port}/v1/anomalies`);
    await prober('public', ns).probeAll();
    expect(m.registry.get(id)!.health).toMatchObject({ alive: false, error, failures: 1 });
    expect(hosts).toEqual([]);
  });

  it('fails the probe as resolve_failed when the nameserver refuses the lookup (nothing listens on its port)', async () => {
    const ns = await startNameserver({});
    await ns.close();
    const { m, http, hosts, list, prober } = await socketMarket();
    const id = await list(`http://shop.example:${http.port}/v1/anomalies`);
    await prober('lab', ns.server).probeAll();
    expect(m.registry.get(id)!.health).toMatchObject({ alive: false, error: 'resolve_failed', failures: 1 });
    expect(hosts).toEqual([]);
  });
});

describe('probes of names on a nameserver that never answers', () => {
  it('hold no getaddrinfo thread (dns.lookup of localhost answers meanwhile) and end as resolve_timeout at the 5 s probe limit, 8 at a time', async () => {
    const dark = Array.from({ length: 10 }, (_, i) => `dark${i}.example`);
    const ns = await nameserver({}, dark);
    const { m, http, hosts, list, prober } = await socketMarket();
    const ids = [];
    for (const host of dark) ids.push(await list(`http://${host}:${http.port}/v1/anomalies`));
    const t0 = m.clock.now();
    const round = prober('lab', ns).probeAll();
    // Distinct questions: c-ares asks again, on the wall clock, a nameserver that does not answer.
    await until(() => new Set(ns.queries).size === 16, '8 dark names asked for');

    // 8 lookups are under way, as many as libuv has threads twice over; they hold none of them.
    expect(await lookup('localhost', { family: 4 })).toEqual({ address: '127.0.0.1', family: 4 });

    await m.clock.advance(5_000);
    await until(() => new Set(ns.queries).size === 20, 'the last 2 dark names asked for');
    await m.clock.advance(5_000);
    await round;
    const health = ids.map((id) => m.registry.get(id)!.health!);
    expect(health.map(({ alive, error, failures }) => ({ alive, error, failures }))).toEqual(
      Array(10).fill({ alive: false, error: 'resolve_timeout', failures: 1 }),
    );
    // The first 8 (in id order) at the first limit, the other 2 once they had their own 5 s.
    expect(health.map((h) => h.checkedAt - t0).sort((a, b) => a - b)).toEqual([
      ...Array(8).fill(5_000),
      10_000,
      10_000,
    ]);
    expect(hosts).toEqual([]);
  });
});
