/**
 * A registry under the `public` address policy resolves a listing's host
 * name when it is registered or updated, as its prober resolves it, and
 * refuses a name resolving to any loopback, private, link-local or reserved
 * address (400 `forbidden_address`, naming the host and the address) or not
 * resolving at all (400 `unresolvable_host`): buyers may send their tasks to
 * a listing before its first probe. The `lab` policy resolves nothing and
 * keeps listing loopback. Real server, real HTTP; names resolve through an
 * injected resolver (no internet, /etc/hosts untouched). The bounds on
 * lookups and the DNS resolver itself: host-resolving.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  RegistryClient,
  listingId,
  startRegistryServer,
  type AddressPolicy,
  type RegistryServer,
  type ResolveAll,
} from '../../services/registry/index.js';
import { signListing } from '../../services/registry/signing.js';
import { listing, signer } from './listing-fixture.js';
import { PUBLIC_ADDRESS, lookupFrom } from './lookup-fixture.js';

let server: RegistryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const LAB = '; a registry for sellers on this machine or network runs with --lab';
const URL_1 = 'http://seller.example:8080/v1/q';

/** A registry server under `policy` on a virtual clock resolving names with `lookup`, and a client of it. */
async function registryResolving(lookup: ResolveAll, addressPolicy: AddressPolicy = 'public') {
  const clock = new VirtualClock();
  server = await startRegistryServer({
    clock,
    network: 'regtest',
    probeIntervalMs: 0,
    addressPolicy,
    lookup,
  });
  const client = new RegistryClient({ baseUrl: server.url, fetch: (r) => fetch(r), clock });
  return { clock, server, client };
}

describe('a public registry resolves the host name of a listing it is asked to list', () => {
  it.each([
    ['loopback', ['127.0.0.1'], '127.0.0.1'],
    ['IPv6 loopback', ['::1'], '::1'],
    ['a private network', ['10.0.0.7'], '10.0.0.7'],
    ['the cloud metadata address (link-local)', ['169.254.169.254'], '169.254.169.254'],
    ['a public address and a private one', [PUBLIC_ADDRESS, '192.168.1.20'], '192.168.1.20'],
  ])(
    'refuses a name resolving to %s: 400 forbidden_address naming the host and the address, nothing listed',
    async (_what, addresses, named) => {
      const { lookup, asked } = lookupFrom({ 'seller.example': addresses });
      const { client, server } = await registryResolving(lookup);
      const r = await client.register({ ...listing, url: URL_1 }, signer);
      expect(r).toEqual({
        ok: false,
        status: 400,
        code: 'forbidden_address',
        message: `listing url ${URL_1}: seller.example resolves to ${named}, which the public address policy does not allow${LAB}`,
      });
      expect(asked).toEqual(['seller.example']);
      expect(server.registry.all()).toEqual([]);
    },
  );

  it('refuses a name that does not resolve: 400 unresolvable_host saying what to do', async () => {
    const { lookup } = lookupFrom({});
    const { client, server } = await registryResolving(lookup);
    expect(await client.register({ ...listing, url: URL_1 }, signer)).toEqual({
      ok: false,
      status: 400,
      code: 'unresolvable_host',
      message: `listing url ${URL_1}: host seller.example does not resolve (ENOTFOUND); check the name's DNS records, or list a url whose host is a public IP address, then send it again`,
    });
    expect(server.registry.all()).toEqual([]);
  });

  it('lists a name resolving only to public addresses, and a lab registry lists one resolving to loopback without looking it up', async () => {
    const names = lookupFrom({ 'seller.example': [PUBLIC_ADDRESS, '2606:4700::1111'] });
    const pub = await registryResolving(names.lookup);
    const r = await pub.client.register({ ...listing, url: URL_1 }, signer);
    expect(r).toMatchObject({ ok: true, listing: { id: listingId(signer.pubkey, URL_1), url: URL_1 } });
    expect(names.asked).toEqual(['seller.example']);
    await server!.close();

    const loopback = lookupFrom({ 'seller.example': ['127.0.0.1'] });
    const lab = await registryResolving(loopback.lookup, 'lab');
    expect(await lab.client.register({ ...listing, url: URL_1 }, signer)).toMatchObject({ ok: true });
    expect(loopback.asked).toEqual([]);
  });

  it('refuses an update once the name resolves to loopback (the listing stays as it was), and looks up nothing for a badly signed registration', async () => {
    const addresses = [PUBLIC_ADDRESS];
    const names = lookupFrom({ 'seller.example': addresses });
    const { client, server } = await registryResolving(names.lookup);
    const registered = await client.register({ ...listing, url: URL_1 }, signer);
    if (!registered.ok) throw new Error(registered.message);
    addresses.splice(0, 1, '127.0.0.1');

    const repriced = { ...listing, url: URL_1, tiers: [{ ...listing.tiers[0]!, priceMsat: 1 }] };
    const r = await client.update(registered.listing.id, repriced, signer);
    expect(r).toEqual({
      ok: false,
      status: 400,
      code: 'forbidden_address',
      message: `listing url ${URL_1}: seller.example resolves to 127.0.0.1, which the public address policy does not allow${LAB}`,
    });
    expect(server.registry.get(registered.listing.id)).toEqual(registered.listing);
    expect(names.asked).toEqual(['seller.example', 'seller.example']);

    const forged = await fetch(`${server.url}/listings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        listing: { ...listing, url: 'http://other.example/x' },
        signedAt: registered.listing.signedAt + 1,
        signature: 'ab'.repeat(64),
        registry: server.url,
      }),
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: 'bad_signature' });
    expect(names.asked).toEqual(['seller.example', 'seller.example']);
  });

  it('answers 503 resolve_unavailable with Retry-After when a name does not resolve within 5 s of the registry clock, while other writes go on meanwhile', async () => {
    const asked: string[] = [];
    const never: ResolveAll = (host) => void asked.push(host);
    const { clock, client, server } = await registryResolving(never);
    const slow = client.register({ ...listing, url: URL_1 }, signer, { retries: 0 });
    for (let i = 0; asked.length === 0; i++) {
      if (i === 200) throw new Error('the registry never looked seller.example up');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const literal = `http://${PUBLIC_ADDRESS}/v1/q`;
    expect(await client.register({ ...listing, url: literal }, signer)).toMatchObject({ ok: true });
    await clock.advance(5_000);
    expect(await slow).toEqual({
      ok: false,
      status: 503,
      code: 'resolve_unavailable',
      message: `listing url ${URL_1}: host seller.example did not resolve within 5000 ms; retry`,
    });
    expect(server.registry.all().map((l) => l.url)).toEqual([literal]);
  });

  it('answers a temporary DNS failure (EAI_AGAIN) 503 resolve_unavailable with Retry-After: 1, and lists the name when it is sent again', async () => {
    let calls = 0;
    const flaky: ResolveAll = (host, _o, done) => {
      if (++calls === 1)
        return done(Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: 'EAI_AGAIN' }), []);
      done(null, [{ address: PUBLIC_ADDRESS, family: 4 }]);
    };
    const { clock, server } = await registryResolving(flaky);
    const signed = await signListing({ ...listing, url: URL_1 }, signer, clock.now(), server.url);
    const body = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signed),
    };
    const first = await fetch(`${server.url}/listings`, body);
    expect([first.status, first.headers.get('retry-after'), await first.json()]).toEqual([
      503,
      '1',
      {
        error: 'resolve_unavailable',
        message: `listing url ${URL_1}: host seller.example could not be resolved (EAI_AGAIN); retry`,
      },
    ]);
    expect(server.registry.all()).toEqual([]);
    const again = await fetch(`${server.url}/listings`, body);
    expect(again.status).toBe(201);
    expect(server.registry.all().map((l) => l.url)).toEqual([URL_1]);
  });
});

describe('RegistryClient meeting 503 resolve_unavailable', () => {
  it('sends the same registration again after the Retry-After second and gets it listed, in 2 attempts', async () => {
    let calls = 0;
    const flaky: ResolveAll = (host, _o, done) => {
      if (++calls === 1)
        return done(Object.assign(new Error(`getaddrinfo EAI_AGAIN ${host}`), { code: 'EAI_AGAIN' }), []);
      done(null, [{ address: PUBLIC_ADDRESS, family: 4 }]);
    };
    const { clock, client, server } = await registryResolving(flaky);
    let settled = false;
    const registering = client.register({ ...listing, url: URL_1 }, signer).finally(() => (settled = true));
    for (let i = 0; !settled; i++) {
      if (i === 400) throw new Error('the registration never settled');
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (calls === 1) await clock.advance(250);
    }
    expect(await registering).toMatchObject({ ok: true, listing: { url: URL_1 } });
    expect(calls).toBe(2);
    expect(server.registry.all().map((l) => l.url)).toEqual([URL_1]);
  });
});
