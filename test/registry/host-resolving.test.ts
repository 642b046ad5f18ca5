/**
 * A public registry's host-name lookups at registration cannot be turned against it: at most
 * `maxResolving` names resolve at once (beyond, 503 `resolve_unavailable` at once, the name not
 * looked up), a lookup keeps its place until it no longer runs, a request refused anyway looks
 * nothing up, and a name that is no DNS name is a final 400. By default names resolve through
 * c-ares, here against a nameserver on 127.0.0.1 (no internet): it stops a lookup at the time
 * limit. Real registry and HTTP app, on a virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LookupAddress } from 'node:dns';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { createRegistryApp } from '../../services/registry/app.js';
import {
  keySigner,
  listingId,
  Registry,
  type ListingFields,
  type RegistryDeps,
  type ResolveAll,
} from '../../services/registry/index.js';
import { signAction, signListing } from '../../services/registry/signing.js';
import { startNameserver, type TestNameserver } from './dns-server-fixture.js';
import { listing, signer } from './listing-fixture.js';
import { PUBLIC_ADDRESS, lookupFrom } from './lookup-fixture.js';

let nameserver: TestNameserver | undefined;
afterEach(async () => {
  await nameserver?.close();
  nameserver = undefined;
});

const at = (host: string): ListingFields => ({ ...listing, url: `http://${host}/v1/q` });
const BUSY = (host: string, n: number) =>
  `listing url http://${host}/v1/q: the registry is resolving too many host names (${n} at once); retry`;
const VALID_NAME =
  '; list a url whose host is a DNS name (at most 253 characters, labels of 1 to 63) or a public IP address';

/** A public registry on a virtual clock and its HTTP app; `post` registers and gives [status, Retry-After, body]. */
async function publicRegistry(deps: Partial<RegistryDeps>) {
  const clock = new VirtualClock();
  const registry = await Registry.open({ clock, network: 'regtest', addressPolicy: 'public', ...deps });
  const app = createRegistryApp(registry);
  const send = async (method: string, path: string, body: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return [res.status, res.headers.get('retry-after'), await res.json()] as const;
  };
  const post = async (fields: ListingFields, key = signer) =>
    send('POST', '/listings', await signListing(fields, key, clock.now()));
  return { clock, registry, send, post };
}

/** A resolver whose lookups wait until the test answers them (`answer(host)`: a public address). */
function heldLookup() {
  const waiting = new Map<string, (err: null, a: LookupAddress[]) => void>();
  const asked: string[] = [];
  const lookup: ResolveAll = (host, _o, done) => {
    asked.push(host);
    waiting.set(host, done);
  };
  const answer = (host: string) => waiting.get(host)!(null, [{ address: PUBLIC_ADDRESS, family: 4 }]);
  return { lookup, asked, answer };
}

/** Lets the event loop turn until `ready()` (an HTTP request got as far as its lookup). */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; !ready(); i++) {
    if (i === 400) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a public registry resolves a bounded number of host names at once', () => {
  it('with 2 names resolving, a 3rd registration is 503 resolve_unavailable at once with Retry-After: 1 and its name is not looked up; once a lookup answers, the next name is looked up and listed', async () => {
    const names = heldLookup();
    const { post } = await publicRegistry({ lookup: names.lookup, maxResolving: 2 });
    const a = post(at('a.example'));
    const b = post(at('b.example'));
    await until(() => names.asked.length === 2, 'a.example and b.example looked up');

    expect(await post(at('c.example'))).toEqual([
      503,
      '1',
      { error: 'resolve_unavailable', message: BUSY('c.example', 2) },
    ]);
    expect(names.asked).toEqual(['a.example', 'b.example']);

    names.answer('a.example');
    expect((await a)[0]).toBe(201);
    const c = post(at('c.example'));
    await until(() => names.asked.length === 3, 'c.example looked up');
    names.answer('c.example');
    names.answer('b.example');
    expect([(await b)[0], (await c)[0]]).toEqual([201, 201]);
    expect(names.asked).toEqual(['a.example', 'b.example', 'c.example']);
  });

  it('a lookup that cannot be stopped keeps its place past the 5 s limit: its registration is 503 at 5 s, the next is refused as too many until the lookup answers', async () => {
    const names = heldLookup();
    const { clock, post } = await publicRegistry({ lookup: names.lookup, maxResolving: 1 });
    const slow = post(at('slow.example'));
    await until(() => names.asked.length === 1, 'slow.example looked up');
    await clock.advance(5_000);
    expect(await slow).toEqual([
      503,
      '1',
      {
        error: 'resolve_unavailable',
        message:
          'listing url http://slow.example/v1/q: host slow.example did not resolve within 5000 ms; retry',
      },
    ]);
    expect(await post(at('next.example'))).toEqual([
      503,
      '1',
      { error: 'resolve_unavailable', message: BUSY('next.example', 1) },
    ]);

    names.answer('slow.example');
    const next = post(at('next.example'));
    await until(() => names.asked.length === 2, 'next.example looked up');
    names.answer('next.example');
    expect((await next)[0]).toBe(201);
  });
});

describe('a public registry looks nothing up for a request it refuses anyway', () => {
  it('refuses a registration of a listing already listed, by a key at its limit, into a full registry, and an update of no listing, without a lookup', async () => {
    const { lookup, asked } = lookupFrom({ 'a.example': [PUBLIC_ADDRESS], 'b.example': [PUBLIC_ADDRESS] });
    const other = keySigner(new Uint8Array(32).fill(7));
    const { clock, post, send } = await publicRegistry({
      lookup,
      limits: { listingsPerKey: 1, listings: 2 },
    });
    expect((await post(at('a.example')))[0]).toBe(201);
    expect((await post({ ...at('b.example'), nodePubkey: other.pubkey }, other))[0]).toBe(201);
    expect(asked).toEqual(['a.example', 'b.example']);

    const id = listingId(signer.pubkey, 'http://a.example/v1/q');
    expect(await post(at('a.example'))).toEqual([
      409,
      null,
      { error: 'already_listed', message: `listing ${id} exists; update it with PUT /listings/${id}` },
    ]);
    expect(await post(at('c.example'))).toEqual([
      409,
      null,
      {
        error: 'too_many_listings',
        message: `node ${signer.pubkey} already has 1 listings; remove one first`,
      },
    ]);
    const third = keySigner(new Uint8Array(32).fill(8));
    expect(await post({ ...at('c.example'), nodePubkey: third.pubkey }, third)).toEqual([
      409,
      null,
      { error: 'too_many_listings', message: 'the registry holds 2 listings, its limit; retry later' },
    ]);
    const none = '0'.repeat(32);
    const fields = at('d.example');
    const signedAt = clock.now();
    const signature = await signAction({ action: 'update', id: none, listing: fields, signedAt }, signer);
    expect(await send('PUT', `/listings/${none}`, { listing: fields, signedAt, signature })).toEqual([
      404,
      null,
      { error: 'not_found', message: `no listing ${none}` },
    ]);
    expect(asked).toEqual(['a.example', 'b.example']);
  });
});

describe('a host name that is no DNS name is a final 400 unresolvable_host, not a 503 to retry', () => {
  const long = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.');
  const label = `${'b'.repeat(64)}.example`;
  it.each([
    ['255 characters', long, `host name is 255 characters long, over the 253 a DNS name may have`],
    ['a label of 64 characters', label, `host ${label} has a label of 64 characters, not 1 to 63`],
  ])('refuses a host name of %s without looking it up', async (_what, host, why) => {
    const { lookup, asked } = lookupFrom({ [host]: [PUBLIC_ADDRESS] });
    const { post } = await publicRegistry({ lookup });
    expect(await post(at(host))).toEqual([
      400,
      null,
      { error: 'unresolvable_host', message: `listing url http://${host}/v1/q: ${why}${VALID_NAME}` },
    ]);
    expect(asked).toEqual([]);
  });

  it.each(['EINVAL', 'EBADNAME'])(
    'answers a resolver refusing the name as %s 400 unresolvable_host',
    async (code) => {
      const refusing: ResolveAll = (host, _o, done) =>
        done(Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code }), []);
      const { post } = await publicRegistry({ lookup: refusing });
      expect(await post(at('odd.example'))).toEqual([
        400,
        null,
        {
          error: 'unresolvable_host',
          message: `listing url http://odd.example/v1/q: host odd.example is not a valid host name (${code})${VALID_NAME}`,
        },
      ]);
    },
  );
});

describe('DNS through c-ares (no resolver injected), against a nameserver on 127.0.0.1', () => {
  it('checks every A and AAAA address: a private AAAA is 400 forbidden_address, public A and AAAA or an A alone are listed, an unknown name is 400 unresolvable_host', async () => {
    nameserver = await startNameserver({
      'mixed.example': [PUBLIC_ADDRESS, 'fd00::7'],
      'dual.example': [PUBLIC_ADDRESS, '2606:4700::1111'],
      'v4.example': [PUBLIC_ADDRESS],
    });
    const { post, registry } = await publicRegistry({ nameservers: [nameserver.server] });
    expect(await post(at('mixed.example'))).toEqual([
      400,
      null,
      {
        error: 'forbidden_address',
        message:
          'listing url http://mixed.example/v1/q: mixed.example resolves to fd00::7, which the public address policy does not allow; a registry for sellers on this machine or network runs with --lab',
      },
    ]);
    expect((await post(at('dual.example')))[0]).toBe(201);
    expect((await post(at('v4.example')))[0]).toBe(201);
    expect(await post(at('none.example'))).toEqual([
      400,
      null,
      {
        error: 'unresolvable_host',
        message:
          "listing url http://none.example/v1/q: host none.example does not resolve (ENOTFOUND); check the name's DNS records, or list a url whose host is a public IP address, then send it again",
      },
    ]);
    expect(
      registry
        .all()
        .map((l) => l.url)
        .sort(),
    ).toEqual(['http://dual.example/v1/q', 'http://v4.example/v1/q']);
  });

  it('stops a lookup the nameserver never answers at 5 s of the registry clock (503), so the next name is looked up at once', async () => {
    nameserver = await startNameserver({ 'seller.example': [PUBLIC_ADDRESS] }, ['dark.example']);
    const { clock, post } = await publicRegistry({ nameservers: [nameserver.server], maxResolving: 1 });
    const dark = post(at('dark.example'));
    await until(() => nameserver!.queries.length === 2, 'dark.example asked for');
    expect(await post(at('seller.example'))).toEqual([
      503,
      '1',
      { error: 'resolve_unavailable', message: BUSY('seller.example', 1) },
    ]);
    await clock.advance(5_000);
    expect((await dark)[2]).toEqual({
      error: 'resolve_unavailable',
      message:
        'listing url http://dark.example/v1/q: host dark.example did not resolve within 5000 ms; retry',
    });
    expect((await post(at('seller.example')))[0]).toBe(201);
    expect(nameserver.queries).toEqual([
      'dark.example A',
      'dark.example AAAA',
      'seller.example A',
      'seller.example AAAA',
    ]);
  });
});
