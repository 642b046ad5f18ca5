import fc from 'fast-check';
import { createL402Client } from '../../agents/l402/index.js';
import type { L402Client, PurchaseHints, PurchaseResult } from '../../agents/l402/index.js';
import { DerivedRootKeyStore, createMinter, type Minter } from '../../infra/l402/index.js';
import { decodeInvoice, encodeInvoice } from '../../infra/lightning/bolt11.js';
import { createRng } from '../../infra/random.js';
import { makeWorld, type World } from '../paywall/helpers.js';
import type { FuzzTally } from './fuzz-common.js';
import { HANG, draws, finished, mutatedString, newTally, outcome, problem, started } from './fuzz-common.js';
import { withDeadline } from './fuzz-common.js';
import { nodeKeys, type NodeKey } from './registry-helpers.js';

/** How a hostile seller answers one purchase. */
interface Hostile {
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

const hostile: fc.Arbitrary<Hostile> = fc.record({
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

/** The client's request timeout in the fuzz: a dripped body ends this long after its request. */
const REQUEST_TIMEOUT_MS = 2_000;
/** Cases per buyer session: each session is a fresh L402 client (its token store keeps what it paid for). */
const SESSION_CASES = 1_000;
/** Virtual time between cases: the sellers' invoices (1 h expiry) lapse 3,600 cases after they were made. */
const CASE_SPACING_MS = 1_000;

/** A challenge the hostile seller issued: whether its macaroon names its invoice's payment hash. */
interface Issued {
  hashMatches: boolean;
}

/** One case while it runs: how the seller answers, and its challenges by macaroon (forgotten when judged). */
interface OpenCase {
  h: Hostile;
  issued: Map<string, Issued>;
}

/** The hostile seller: the world's nodes, a key for forged invoices, its own minter, the cases running. */
interface Seller {
  w: World;
  stranger: NodeKey;
  minter: Minter;
  open: Map<string, OpenCase>;
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
function statedMsat(h: Hostile): number | undefined {
  if (h.body === 'json') return h.price;
  if (h.body === 'lying_price') return Math.max(1, Math.floor(h.price / 100));
  return undefined;
}

/** The seller as a fetch function: a 402 to a request without credentials, the case's `after` answer to one with. */
function hostileFetch(s: Seller): typeof globalThis.fetch {
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

/** The caller's hints the case asks for: a maximum price, the expected payee, both or none. */
function hintsFor(h: Hostile, payee: string): PurchaseHints {
  return {
    ...(h.hints === 'max_price' || h.hints === 'both' ? { maxPriceMsat: h.price } : {}),
    ...(h.hints === 'payee' || h.hints === 'both' ? { expectedPayee: payee } : {}),
  };
}

/** Why paying this case was wrong (empty when it was right): hash, stated price, the caller's hints. */
function wrongPayment(c: OpenCase, hints: PurchaseHints, r: PurchaseResult): string[] {
  // This case's own challenge (a case judged late, a drip, is not matched with a later case's).
  const seen = r.macaroon !== undefined ? c.issued.get(r.macaroon) : undefined;
  const amount = r.quotedMsat ?? 0;
  const stated = statedMsat(c.h);
  const why = [
    seen && !seen.hashMatches && 'macaroon hash is not the invoice hash',
    stated !== undefined && amount !== stated && `paid ${amount} msat for a stated ${stated}`,
    hints.maxPriceMsat !== undefined &&
      amount > hints.maxPriceMsat &&
      `paid ${amount} over max ${hints.maxPriceMsat}`,
    hints.expectedPayee !== undefined &&
      r.payee !== hints.expectedPayee &&
      'paid another payee than expected',
  ];
  return why.filter((w): w is string => typeof w === 'string');
}

/** Counts one finished purchase: a forgery when it paid what it should not have, else its outcome. */
function judge(t: FuzzTally, c: OpenCase, hints: PurchaseHints, r: PurchaseResult): void {
  r.response?.body?.cancel().catch(() => undefined);
  const why = r.paidMsat > 0 ? wrongPayment(c, hints, r) : [];
  if (why.length)
    problem(t, 'forgeries', `${why.join('; ')} (${JSON.stringify({ ...c.h, mutation: undefined })})`);
  outcome(t, r.paidMsat > 0 ? `paid:${r.outcome}` : r.outcome);
}

/** Runs one purchase against the case's hostile seller; the case is forgotten once judged. */
function purchase(s: Seller, client: L402Client, t: FuzzTally, path: string, h: Hostile): Promise<void> {
  const c: OpenCase = { h, issued: new Map() };
  s.open.set(path, c);
  const hints = hintsFor(h, s.w.seller.pubkey);
  return client
    .purchase(`http://hostile.test${path}`, {}, hints)
    .then(
      (r) => judge(t, c, hints, r),
      (err: unknown) =>
        problem(t, 'crashes', `${(err as Error)?.stack ?? String(err)} (${JSON.stringify(h)})`),
    )
    .finally(() => s.open.delete(path));
}

/** A fresh L402 client of the world's buyer, against the hostile seller. */
function newClient(s: Seller): L402Client {
  return createL402Client({
    node: s.w.buyer,
    fetch: hostileFetch(s),
    clock: s.w.clock,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
}

/** Waits for the dripped cases still reading; each one open after the request timeout and a margin is a hang. */
async function awaitDrips(t: FuzzTally, drips: Set<Promise<void>>): Promise<void> {
  if ((await withDeadline(Promise.all(drips), REQUEST_TIMEOUT_MS + 5_000)) !== HANG) return;
  const open = await Promise.all([...drips].map((p) => withDeadline(p, 1)));
  for (const o of open) if (o === HANG) problem(t, 'hangs', 'a 402 body that never ends');
}

/**
 * Client-side hostile 402s: the L402 client (public API, `purchase`) against
 * sellers whose challenges lie: invoice amount over or under the stated
 * price, a macaroon for another payment hash, another payee, another
 * network, expired or amountless invoices, mutated or doubled headers, huge
 * and never-ending bodies, and answers after payment that refuse, fail or
 * ask again. The client must answer every case with a value (no throw, no
 * hang); a payment of an invoice whose hash is not the macaroon's, whose
 * amount is not the stated price, or that breaks the caller's hints counts
 * as a forgery accepted. Every 1,000 cases a new client (a buyer session)
 * starts and the network forgets expired invoices; the virtual clock moves
 * 1 s per case.
 */
export async function fuzzClient(seed: number, count: number): Promise<FuzzTally> {
  const w = makeWorld({ seed });
  w.net.openChannel(w.buyer, w.seller, { capacityMsat: 1_000_000_000_000 });
  const keys = createRng(`fuzz-client-${seed}`);
  const seller: Seller = {
    w,
    stranger: nodeKeys(seed, ['stranger']).stranger,
    // Derived root keys: the hostile seller keeps no state per challenge either.
    minter: createMinter({
      rootKeys: new DerivedRootKeyStore(keys.bytes(32)),
      randomBytes: (n) => keys.bytes(n),
    }),
    open: new Map(),
  };
  const t = newTally('client hostile 402s');
  const drips = new Set<Promise<void>>();
  let client = newClient(seller);
  let i = 0;
  for (const h of draws(hostile, seed, count)) {
    started(t, count);
    if (i > 0 && i % SESSION_CASES === 0) {
      client = newClient(seller);
      // The sellers' settled invoices and the buyer's payments are paid history the embedded network
      // keeps until told: a long run forgets the expired ones (the unpaid ones go on their own).
      w.net.pruneExpired();
    }
    const run = purchase(seller, client, t, `/c/${i++}`, h);
    await w.clock.runUntilIdle();
    if (h.body === 'drip') {
      drips.add(run);
      void run.finally(() => drips.delete(run));
    } else if ((await withDeadline(run, 10_000)) === HANG) problem(t, 'hangs', JSON.stringify(h));
    await w.clock.advance(CASE_SPACING_MS);
  }
  await awaitDrips(t, drips);
  return finished(t);
}
