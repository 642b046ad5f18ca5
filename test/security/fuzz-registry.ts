import fc from 'fast-check';
import { canonicalJson, listingId, signAction, signListing } from '../../services/registry/index.js';
import type { FuzzTally } from './fuzz-common.js';
import { mutatedString, newTally, outcome, problem, runCases } from './fuzz-common.js';
import { listingOf, nodeKeys, openRegistry } from './registry-helpers.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Replaces the value at a random path of `value` (or adds a key) with `replacement`. */
function setAt(value: Json, path: number[], replacement: Json, key: string): Json {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [head, ...rest] = path as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return [replacement];
    const i = head % value.length;
    return value.map((v, j) => (j === i ? setAt(v, rest, replacement, key) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0 || head % (keys.length + 1) === keys.length) return { ...value, [key]: replacement };
  const k = keys[head % keys.length]!;
  return { ...value, [k]: setAt(value[k]!, rest, replacement, key) };
}

/**
 * Registry bodies and queries against the registry app (in memory): random
 * JSON to every write route, genuine signed bodies with one value changed,
 * text mutations, random query strings. Every answer is a 2xx or a 4xx with
 * `{ error, message }`; a changed signed body is never accepted.
 */
export async function fuzzRegistry(seed: number, count: number): Promise<FuzzTally> {
  const { app, clock } = await openRegistry();
  const { seller, payer } = nodeKeys(seed, ['seller', 'payer']);
  const fields = listingOf(seller, 'http://shop.test/v1/data');
  const id = listingId(seller.pubkey, fields.url);
  const registered = await signListing(fields, seller.signer, clock.now());
  await app.request('/listings', { method: 'POST', body: JSON.stringify(registered) });
  const signedAt = clock.now() + 1;
  const update = {
    listing: fields,
    signedAt,
    signature: await signAction({ action: 'update', id, listing: fields, signedAt }, seller.signer),
  };
  const removal = {
    signedAt,
    signature: await signAction({ action: 'remove', id, signedAt }, seller.signer),
  };
  const rating = {
    score: 3,
    invoice: 'lnbcrt1',
    preimage: '00'.repeat(32),
    payer: payer.pubkey,
    signedAt,
    signature: '00'.repeat(64),
  };
  const genuine: [string, string, Json][] = [
    ['POST', '/listings', registered as unknown as Json],
    ['PUT', `/listings/${id}`, update as unknown as Json],
    ['DELETE', `/listings/${id}`, removal as unknown as Json],
    ['POST', `/listings/${id}/ratings`, rating as unknown as Json],
  ];
  const route = fc.nat({ max: genuine.length - 1 });
  const json = fc.json({ depthSize: 'small' }).map((s) => JSON.parse(s) as Json);
  const changed = fc
    .tuple(route, fc.array(fc.nat(), { maxLength: 5 }), json, fc.string({ maxLength: 12 }))
    .map(([r, path, v, key]) => {
      const [method, url, body] = genuine[r]!;
      return { method, url, body: JSON.stringify(setAt(body, path, v, key)), signed: canonicalJson(body) };
    });
  const text = fc.tuple(route).chain(([r]) =>
    mutatedString(JSON.stringify(genuine[r]![2])).map((body) => ({
      method: genuine[r]![0],
      url: genuine[r]![1],
      body,
      signed: '',
    })),
  );
  const random = fc.tuple(route, fc.oneof(fc.json(), fc.string({ maxLength: 3000 }))).map(([r, body]) => ({
    method: genuine[r]![0],
    url: genuine[r]![1],
    body,
    signed: '',
  }));
  const query = fc
    .array(
      fc.tuple(
        fc.constantFrom('capability', 'category', 'maxPriceMsat', 'alive', 'sort', 'limit', 'x'),
        fc.string({ maxLength: 40 }),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => ({
      method: 'GET',
      url: `/listings?${new URLSearchParams(pairs).toString()}`,
      body: undefined,
      signed: '',
    }));
  const path = fc
    .string({ maxLength: 80 })
    .map((p) => ({ method: 'GET', url: `/listings/${encodeURIComponent(p)}`, body: undefined, signed: '' }));
  const arb = fc.oneof(
    { weight: 4, arbitrary: changed },
    { weight: 2, arbitrary: text },
    { weight: 2, arbitrary: random },
    { weight: 1, arbitrary: query },
    { weight: 1, arbitrary: path },
  );
  return runCases(newTally('registry bodies'), arb, seed, count, async (c, t) => {
    const res = await app.request(c.url, {
      method: c.method,
      headers: { 'content-type': 'application/json' },
      ...(c.body !== undefined ? { body: c.body } : {}),
    });
    const body = (await res.json().catch(() => undefined)) as { error?: string } | undefined;
    if (res.status >= 500)
      return problem(t, 'status5xx', `${res.status} ${c.method} ${c.url} ${c.body?.slice(0, 200)}`);
    if (c.method !== 'GET' && res.status < 300 && c.signed && canonicalJson(JSON.parse(c.body!)) !== c.signed)
      return problem(t, 'forgeries', `${res.status} ${c.method} ${c.url} ${c.body?.slice(0, 200)}`);
    if (res.status >= 400 && typeof body?.error !== 'string')
      return problem(t, 'crashes', `${res.status} without an error code: ${c.method} ${c.url}`);
    outcome(t, res.status < 300 ? `http_${res.status}` : `${res.status} ${body!.error}`);
  });
}
