/**
 * The hostile seller of the client fuzz: how each case's 402 lies (invoice,
 * header, body) and how it answers once paid, as a fetch function.
 */
import fc from 'fast-check';
import { DerivedRootKeyStore, createMinter, type Minter } from '../../infra/l402/index.js';
import { decodeInvoice, encodeInvoice } from '../../infra/lightning/bolt11.js';
import { createRng } from '../../infra/random.js';
import type { World } from '../paywall/helpers.js';
import { mutatedString } from './fuzz-common.js';
import { nodeKeys, type NodeKey } from './registry-helpers.js';

/** How a hostile seller answers one purchase. */
export interface Hostile {
  price: number;
  invoice:
    | 'honest'
    | 'over'
    | 'under'
    | 'other_hash'
    | 'other_payee'
    | 'mainnet'
    | 'expired'
    | 'no_amount'
    | 'garbage';
  header: 'plain' | 'lsat' | 'twice' | 'mutated' | 'none';
  body: 'json' | 'lying_price' | 'garbage' | 'empty' | 'huge' | 'drip';
  after: 'deliver' | 'again_402' | 'quota_402' | 'error_500' | 'garbage';
  hints: 'none' | 'max_price' | 'payee' | 'both';
  mutation: string;
}

export const hostile: fc.Arbitrary<Hostile> = fc.record({
  price: fc.integer({ min: 1_000, max: 20_000 }),
  invoice: fc.constantFrom(
    'honest',
    'over',
    'under',
    'other_hash',
    'other_payee',
    'mainnet',
    'expired',
    'no_amount',
    'garbage',
  ),
  header: fc.constantFrom('plain', 'plain', 'lsat', 'twice', 'mutated', 'none'),
  body: fc.oneof(
    { weight: 400, arbitrary: fc.constantFrom('json', 'lying_price', 'garbage', 'empty') },
    { weight: 1, arbitrary: fc.constantFrom('huge', 'drip') },
  ),
  after: fc.constantFrom('deliver', 'deliver', 'again_402', 'quota_402', 'error_500', 'garbage'),
  hints: fc.constantFrom('none', 'max_price', 'payee', 'both'),
  mutation: mutatedString('L402 macaroon="m", invoice="i"'),
});

/** A challenge the hostile seller issued: whether its macaroon names its invoice's payment hash. */
export interface Issued {
  hashMatches: boolean;
}

/** One case while it runs: how the seller answers, and its challenges by macaroon (forgotten when judged). */
export interface OpenCase {
  h: Hostile;
  issued: Map<string, Issued>;
}

/** The hostile seller: the world's nodes, a key for forged invoices, its own minter, the cases running. */
export interface Seller {
  w: World;
  stranger: NodeKey;
  minter: Minter;
  open: Map<string, OpenCase>;
}

/** The hostile seller over `w`: a stranger's key for forged invoices, a minter with derived root keys (no state per challenge). */
export function hostileSeller(w: World, seed: number): Seller {
  const keys = createRng(`fuzz-client-${seed}`);
  return {
    w,
    stranger: nodeKeys(seed, ['stranger']).stranger,
    minter: createMinter({
      rootKeys: new DerivedRootKeyStore(keys.bytes(32)),
      randomBytes: (n) => keys.bytes(n),
    }),
    open: new Map(),
  };
}

/** A body stream of `bytes` bytes made on demand, or one chunk and then nothing, ever. */
function stream(kind: 'huge' | 'drip'): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x7b);
  return new ReadableStream({
    pull(c) {
      if (kind === 'drip') {
        if (sent++ === 0) c.enqueue(chunk.subarray(0, 1));
        return new Promise(() => undefined);
      }
      if (sent >= 8 << 20) return c.close();
      sent += chunk.length;
      c.enqueue(chunk);
    },
  });
}

/** The invoice amount the seller asks: three times the price, 1 msat under it, or the price. */
function askedMsat(h: Hostile): number {
  return h.invoice === 'over' ? h.price * 3 : h.invoice === 'under' ? Math.max(1, h.price - 1) : h.price;
}

/** The invoice of a challenge: a real one from the seller (or another payee), or a forged, expired, amountless or garbage one. */
async function hostileInvoice(s: Seller, h: Hostile, amountMsat: number): Promise<string> {
  const nowSec = Math.floor(s.w.clock.now() / 1000);
  const forged = (fields: { network?: 'mainnet'; amountMsat?: number; timestampSec?: number }) =>
    encodeInvoice(
      { network: 'regtest', amountMsat, paymentHash: 'ab'.repeat(32), timestampSec: nowSec, ...fields },
      s.stranger.secret,
    );
  if (h.invoice === 'mainnet') return forged({ network: 'mainnet' });
  if (h.invoice === 'expired') return forged({ timestampSec: nowSec - 7200 });
  if (h.invoice === 'no_amount') return forged({ amountMsat: undefined });
  if (h.invoice === 'garbage') return 'lnbcrt1' + 'q'.repeat(60);
  const node = h.invoice === 'other_payee' ? s.w.other : s.w.seller;
  return (await node.createInvoice({ amountMsat, memo: 'fuzz' })).paymentRequest;
}

/** The `WWW-Authenticate` value carrying `token` and `invoice` as the case says (none, LSAT, doubled, mutated). */
function hostileHeader(h: Hostile, token: string, invoice: string): string | undefined {
  const plain = `L402 macaroon="${token}", invoice="${invoice}"`;
  if (h.header === 'plain') return plain;
  if (h.header === 'lsat') return plain.replace(/^L402/, 'LSAT');
  if (h.header === 'twice') return `${plain}, ${plain.replace(/macaroon="[^"]*"/, `macaroon="${token}x"`)}`;
  if (h.header === 'mutated') return h.mutation.replace('"m"', `"${token}"`).replace('"i"', `"${invoice}"`);
  return undefined;
}

/** Issues one challenge for the case (recorded under its macaroon) and returns its header. */
async function challenge(s: Seller, c: OpenCase): Promise<string | undefined> {
  const invoice = await hostileInvoice(s, c.h, askedMsat(c.h));
  let hash = 'ab'.repeat(32);
  try {
    hash = decodeInvoice(invoice, { verify: false }).paymentHash;
  } catch {
    /* garbage: any hash */
  }
  const macHash = c.h.invoice === 'other_hash' ? 'cd'.repeat(32) : hash;
  const { token } = await s.minter.mint({ paymentHash: macHash, caveats: [] });
  c.issued.set(token, { hashMatches: macHash === hash });
  return hostileHeader(c.h, token, invoice);
}

/** The 402 body: the stated price (true or a hundredth of it), garbage, nothing, 8 MiB, or a drip. */
function hostileBody(h: Hostile, reason: string): ConstructorParameters<typeof Response>[0] {
  if (h.body === 'huge' || h.body === 'drip') return stream(h.body);
  if (h.body === 'json') return JSON.stringify({ error: 'payment_required', priceMsat: h.price, reason });
  if (h.body === 'lying_price')
    return JSON.stringify({ error: 'payment_required', priceMsat: statedMsat(h) });
  return h.body === 'garbage' ? '{"priceMsat":' : null;
}

/** The price the 402 body states, when it states one. */
export function statedMsat(h: Hostile): number | undefined {
  if (h.body === 'json') return h.price;
  if (h.body === 'lying_price') return Math.max(1, Math.floor(h.price / 100));
  return undefined;
}

/** The seller as a fetch function: a 402 to a request without credentials, the case's `after` answer to one with. */
export function hostileFetch(s: Seller): typeof globalThis.fetch {
  return async function hostileSeller(input, init) {
    const req = new Request(input, init);
    const c = s.open.get(new URL(req.url).pathname)!;
    const paid = req.headers.get('authorization') !== null;
    if (paid && c.h.after === 'deliver') return Response.json({ ok: true });
    if (paid && c.h.after === 'error_500') return new Response('oops', { status: 500 });
    if (paid && c.h.after === 'garbage') return new Response('\u0000\u0001', { status: 200 });
    const header = await challenge(s, c);
    const reason = c.h.after === 'quota_402' && paid ? 'quota_exhausted' : 'missing';
    return new Response(hostileBody(c.h, reason), {
      status: 402,
      headers: header === undefined ? {} : { 'www-authenticate': header, 'content-type': 'application/json' },
    });
  };
}
