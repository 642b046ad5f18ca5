/**
 * `startRegistryServer` takes the registry's name resolution options: `nameservers` (asked by the
 * registration check and by the prober alike) and `maxResolving` (names resolving at once at
 * registration), each checked when the server starts. Real sockets, a nameserver on 127.0.0.1,
 * the registry on a virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { listen, type Listening } from '../../services/http/listen.js';
import {
  RegistryClient,
  startRegistryServer,
  type ListingFields,
  type RegistryServer,
  type RegistryServerOptions,
} from '../../services/registry/index.js';
import { startNameserver, type TestNameserver } from './dns-server-fixture.js';
import { listing, signer } from './listing-fixture.js';
import { PUBLIC_ADDRESS } from './lookup-fixture.js';

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c.close();
});

async function serve(o: Omit<RegistryServerOptions, 'clock' | 'network'>) {
  const clock = new VirtualClock();
  const server: RegistryServer = await startRegistryServer({ clock, network: 'regtest', ...o });
  closing.push(server);
  // No retries: a 503 is what the test looks at.
  const client = new RegistryClient({ baseUrl: server.url, fetch: (r) => fetch(r), clock, retries: 0 });
  return { clock, server, client };
}

async function nameserver(names: Record<string, string[]>, dropped: string[] = []): Promise<TestNameserver> {
  const ns = await startNameserver(names, dropped);
  closing.push(ns);
  return ns;
}

const at = (host: string): ListingFields => ({ ...listing, url: `http://${host}/v1/q` });

async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; !ready(); i++) {
    if (i === 400) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('startRegistryServer resolves with the nameservers and bound it is given', () => {
  it('registers a name the nameserver answers for, and with maxResolving 1 refuses a second name while one resolves', async () => {
    const ns = await nameserver({ 'seller.example': [PUBLIC_ADDRESS] }, ['dark.example']);
    const { clock, client } = await serve({ nameservers: [ns.server], maxResolving: 1, probeIntervalMs: 0 });
    const listed = await client.register(at('seller.example'), signer);
    expect(listed.ok).toBe(true);

    const dark = client.register(at('dark.example'), signer);
    await until(() => new Set(ns.queries).size === 4, 'dark.example asked for');
    expect(await client.register(at('other.example'), signer)).toEqual({
      ok: false,
      status: 503,
      code: 'resolve_unavailable',
      message:
        'listing url http://other.example/v1/q: the registry is resolving too many host names (1 at once); retry',
    });
    await clock.advance(5_000);
    expect(await dark).toMatchObject({ ok: false, status: 503, code: 'resolve_unavailable' });
    // Distinct questions: c-ares asks again, on the wall clock, a nameserver that does not answer.
    expect([...new Set(ns.queries)]).toEqual([
      'seller.example A',
      'seller.example AAAA',
      'dark.example A',
      'dark.example AAAA',
    ]);
  });

  it("its prober resolves a listing's name through the same nameservers and connects to the address it got", async () => {
    const ns = await nameserver({ 'shop.example': ['127.0.0.1'] });
    const hosts: string[] = [];
    const shop: Listening = await listen((req) => {
      hosts.push(req.headers.get('host') ?? '');
      return new Response(null, { status: 402 });
    });
    closing.push(shop);
    const { clock, server, client } = await serve({
      addressPolicy: 'lab',
      nameservers: [ns.server],
      probeIntervalMs: 60_000,
    });
    const r = await client.register(at(`shop.example:${shop.port}`), signer);
    if (!r.ok) throw new Error(r.message);
    await clock.advance(60_000); // the second round: the first ran before anything was listed
    await until(() => server.registry.get(r.listing.id)!.health !== undefined, 'the listing probed');
    expect(server.registry.get(r.listing.id)!.health).toEqual({
      alive: false,
      latencyMs: 0,
      error: 'bad_challenge',
      checkedAt: clock.now(),
      failures: 1,
    });
    expect(hosts).toEqual([`shop.example:${shop.port}`]);
    expect(ns.queries).toEqual(['shop.example A', 'shop.example AAAA']);
  });

  it.each([
    [
      'a nameserver with port 0 (c-ares would abort the process)',
      { nameservers: ['127.0.0.1:0'] },
      'nameserver "127.0.0.1:0" has port 0, not 1..65535',
    ],
    [
      'a nameserver that is no IP address',
      { nameservers: ['dns.example'] },
      'nameserver "dns.example" is not an IP address; give one as 192.0.2.1, 192.0.2.1:53, 2001:db8::1 or [2001:db8::1]:53',
    ],
    [
      'maxResolving 0, even under lab (which resolves nothing at registration)',
      { maxResolving: 0, addressPolicy: 'lab' as const },
      'maxResolving (host names resolving at once) must be a positive integer, got 0',
    ],
  ])('refuses to start with %s', async (_what, o, message) => {
    const started = serve({ probeIntervalMs: 0, ...o });
    await expect(started).rejects.toThrow(new RangeError(message));
  });
});
