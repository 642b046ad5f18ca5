/**
 * A signed write names the registry it is for: the origin the client
 * addressed. Before, nothing named it, so for 10 minutes a write one registry
 * received was accepted by any other: registry A replayed a seller's update
 * to B (200), its removal delisted the seller from B, and its registration
 * listed the seller on C, which the seller never chose (201). Now a registry
 * refuses a write naming another registry, or none, as 403 `wrong_registry`
 * naming both. Real servers, real HTTP, real signatures.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  RegistryClient,
  signListing,
  signRating,
  startRegistryServer,
  type RegistryServer,
} from '../../services/registry/index.js';
import { listingOf, paidInvoice } from '../security/registry-helpers.js';
import { killStartedClis, runCli, startCli } from '../cli/run-cli.js';
import { KEYS } from './journal-helpers.js';

const REGISTRY = 'services/registry/cli.ts';

const servers: RegistryServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const URL_1 = 'http://127.0.0.1:7402/v1/q';
const clock = new VirtualClock();

async function registry(publicUrls?: string[]) {
  const s = await startRegistryServer({
    clock,
    network: 'regtest',
    probeIntervalMs: 0,
    addressPolicy: 'lab',
    ...(publicUrls ? { publicUrls } : {}),
  });
  servers.push(s);
  return s;
}

/** A client of `baseUrl` sending through `to` (a proxy when they differ), noting every request body. */
function clientOf(baseUrl: string, to = baseUrl) {
  const sent: { method: string; body: string }[] = [];
  const fetchVia = async (req: Request) => {
    sent.push({ method: req.method, body: await req.clone().text() });
    const url = new URL(req.url);
    return fetch(new Request(`${to}${url.pathname}${url.search}`, req));
  };
  return { client: new RegistryClient({ baseUrl, fetch: fetchVia, clock }), sent };
}

/** Sends `body` to `server` as it was sent elsewhere: the status and the answer. */
async function replay(server: RegistryServer, method: string, path: string, body: string) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body,
  });
  return [res.status, await res.json()];
}

/** What `server` answers a write signed for `other`. */
const signedFor = (other: string, server: RegistryServer) => ({
  error: 'wrong_registry',
  message:
    `the write is signed for registry ${other}, and this registry is ${server.origins.join(' or ')}: ` +
    `a write signed for one registry is not accepted by another; sign it for ${server.url}, or, if ${other} ` +
    `is this registry's own address, start the registry with --public-url ${other}`,
});

describe('a signed write for one registry', () => {
  it('names, by default, the address a server listens on and its loopback names', async () => {
    const a = await registry();
    expect(a.origins).toEqual([a.url, `http://localhost:${a.port}`, `http://[::1]:${a.port}`]);
  });

  it('an update, a removal and a registration registry A received, replayed to B and C, are refused 403 wrong_registry naming both, and change nothing there', async () => {
    const [a, b, c] = [await registry(), await registry(), await registry()];
    const atA = clientOf(a.url);
    const atB = clientOf(b.url);
    const listing = listingOf(KEYS.seller, URL_1, 2_000);
    const onB = await atB.client.register(listing, KEYS.seller.signer);
    const onA = await atA.client.register(listing, KEYS.seller.signer);
    if (!onA.ok || !onB.ok) throw new Error('registration refused');
    const id = onA.listing.id;
    await clock.advance(1);
    const repriced = { ...listing, tiers: [{ ...listing.tiers[0]!, priceMsat: 9_000 }] };
    expect((await atA.client.update(id, repriced, KEYS.seller.signer)).ok).toBe(true);
    await clock.advance(1);
    expect((await atA.client.remove(id, KEYS.seller.signer)).ok).toBe(true);
    const [post, put, del] = atA.sent;

    expect(await replay(b, 'PUT', `/listings/${id}`, put!.body)).toEqual([403, signedFor(a.url, b)]);
    expect(await replay(b, 'DELETE', `/listings/${id}`, del!.body)).toEqual([403, signedFor(a.url, b)]);
    expect(await replay(c, 'POST', '/listings', post!.body)).toEqual([403, signedFor(a.url, c)]);
    expect(b.registry.get(id)).toEqual(onB.listing);
    expect(c.registry.size).toBe(0);
  });

  it('a rating signed for registry A, replayed to B, is refused 403 wrong_registry and not counted', async () => {
    const [a, b] = [await registry(), await registry()];
    const listed = await clientOf(b.url).client.register(listingOf(KEYS.seller, URL_1), KEYS.seller.signer);
    if (!listed.ok) throw new Error(listed.message);
    const proof = paidInvoice(KEYS.seller, { timestampSec: Math.floor(clock.now() / 1000) }, 3);
    const rating = await signRating(
      listed.listing.id,
      { score: 5, ...proof },
      KEYS.a.signer,
      clock.now(),
      a.url,
    );

    const path = `/listings/${listed.listing.id}/ratings`;
    expect(await replay(b, 'POST', path, JSON.stringify(rating))).toEqual([403, signedFor(a.url, b)]);
    expect(b.registry.get(listed.listing.id)!.rating).toBeUndefined();
  });

  it('a write naming no registry is refused 403 wrong_registry, saying what to sign for', async () => {
    const a = await registry();
    const unbound = await signListing(listingOf(KEYS.seller, URL_1), KEYS.seller.signer, clock.now());

    expect(await replay(a, 'POST', '/listings', JSON.stringify(unbound))).toEqual([
      403,
      {
        error: 'wrong_registry',
        message:
          `the write names no registry, and a signed write must name the registry it is for; this registry is ` +
          `${a.origins.join(' or ')}: sign it for ${a.url} (a RegistryClient signs for its baseUrl)`,
      },
    ]);
    expect(a.registry.size).toBe(0);
  });

  it('behind a proxy, a registry started with the public URL its clients use takes their writes, and refuses one signed for its socket address', async () => {
    const a = await registry(['https://Registry.Example:443/api']);
    const proxied = clientOf('https://registry.example', a.url);

    const registered = await proxied.client.register(listingOf(KEYS.seller, URL_1), KEYS.seller.signer);

    expect(a.origins).toEqual(['https://registry.example']);
    expect(registered).toMatchObject({ ok: true, listing: { url: URL_1 } });
    const direct = await clientOf(a.url).client.register(listingOf(KEYS.b, URL_1), KEYS.b.signer);
    expect(direct).toEqual({
      ok: false,
      status: 403,
      code: 'wrong_registry',
      message:
        `the write is signed for registry ${a.url}, and this registry is https://registry.example: a write signed for ` +
        `one registry is not accepted by another; sign it for https://registry.example, or, if ${a.url} is this ` +
        `registry's own address, start the registry with --public-url ${a.url}`,
    });
  });
});

describe('npm run registry -- --public-url', () => {
  afterAll(killStartedClis);

  it('says which registry signed writes must name, and refuses a URL that is not http(s) with exit 2', async () => {
    const started = startCli(REGISTRY, [
      '--port',
      '0',
      '--probe-interval-ms',
      '0',
      '--public-url',
      'https://registry.example/',
    ]);
    const [line] = await started.waitFor(/^signed writes must name .*$/m);
    expect(line).toBe('signed writes must name this registry as https://registry.example (--public-url)');
    started.child.kill('SIGTERM');
    await started.exited();

    const bad = await runCli(REGISTRY, ['--public-url', 'registry.example']);

    expect([bad.code, bad.stderr]).toEqual([
      2,
      '--public-url "registry.example" is not an http(s) URL; pass the URL clients address this registry at, e.g. --public-url https://registry.example; run with --help for the options\n',
    ]);
  }, 60_000);
});
