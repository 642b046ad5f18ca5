import fc from 'fast-check';
import { createL402Client } from '../../agents/l402/index.js';
import type { PurchaseHints } from '../../agents/l402/index.js';
import { decodeInvoice, encodeInvoice } from '../../infra/lightning/bolt11.js';
import { makeWorld } from '../paywall/helpers.js';
import type { FuzzTally } from './fuzz-common.js';
import { HANG, mutatedString, newTally, outcome, problem, withDeadline } from './fuzz-common.js';
import { draws, started } from './fuzz-common.js';
import { nodeKeys } from './registry-helpers.js';

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

/** The client's request timeout in the fuzz: a dripped body ends this long after its request. */
const REQUEST_TIMEOUT_MS = 2_000;

/**
 * Client-side hostile 402s: the L402 client (public API, `purchase`) against
 * sellers whose challenges lie: invoice amount over or under the stated
 * price, a macaroon for another payment hash, another payee, another
 * network, expired or amountless invoices, mutated or doubled headers, huge
 * and never-ending bodies, and answers after payment that refuse, fail or
 * ask again. The client must answer every case with a value (no throw, no
 * hang); a payment of an invoice whose hash is not the macaroon's, whose
 * amount is not the stated price, or that breaks the caller's hints counts
 * as a forgery accepted.
 */
export async function fuzzClient(seed: number, count: number): Promise<FuzzTally> {
  const w = makeWorld({ seed });
  w.net.openChannel(w.buyer, w.seller, { capacityMsat: 1_000_000_000_000 });
  const { stranger } = nodeKeys(seed, ['stranger']);
  const cases = new Map<string, Hostile>();
  type Issued = { invoice: string; macaroon: string; amountMsat?: number; hashMatches: boolean };
  const byMacaroon = new Map<string, Issued>();

  const challenge = async (h: Hostile) => {
    const amount =
      h.invoice === 'over' ? h.price * 3 : h.invoice === 'under' ? Math.max(1, h.price - 1) : h.price;
    const nowSec = Math.floor(w.clock.now() / 1000);
    const fake = (fields: { network?: 'mainnet'; amountMsat?: number; timestampSec?: number }) =>
      encodeInvoice(
        {
          network: 'regtest',
          amountMsat: amount,
          paymentHash: 'ab'.repeat(32),
          timestampSec: nowSec,
          ...fields,
        },
        stranger.secret,
      );
    const node = h.invoice === 'other_payee' ? w.other : w.seller;
    const inv =
      h.invoice === 'mainnet'
        ? fake({ network: 'mainnet' })
        : h.invoice === 'expired'
          ? fake({ timestampSec: nowSec - 7200 })
          : h.invoice === 'no_amount'
            ? fake({ amountMsat: undefined })
            : h.invoice === 'garbage'
              ? 'lnbcrt1' + 'q'.repeat(60)
              : (await node.createInvoice({ amountMsat: amount, memo: 'fuzz' })).paymentRequest;
    let hash = 'ab'.repeat(32);
    try {
      hash = decodeInvoice(inv, { verify: false }).paymentHash;
    } catch {
      /* garbage: any hash */
    }
    const macHash = h.invoice === 'other_hash' ? 'cd'.repeat(32) : hash;
    const { token } = await w.minter.mint({ paymentHash: macHash, caveats: [] });
    const issued = { invoice: inv, macaroon: token, amountMsat: amount, hashMatches: macHash === hash };
    byMacaroon.set(token, issued);
    const plain = `L402 macaroon="${token}", invoice="${inv}"`;
    return h.header === 'plain'
      ? plain
      : h.header === 'lsat'
        ? plain.replace(/^L402/, 'LSAT')
        : h.header === 'twice'
          ? `${plain}, ${plain.replace(/macaroon="[^"]*"/, `macaroon="${token}x"`)}`
          : h.header === 'mutated'
            ? h.mutation.replace('"m"', `"${token}"`).replace('"i"', `"${inv}"`)
            : undefined;
  };

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const h = cases.get(new URL(req.url).pathname)!;
    if (req.headers.get('authorization')) {
      if (h.after === 'deliver') return Response.json({ ok: true });
      if (h.after === 'error_500') return new Response('oops', { status: 500 });
      if (h.after === 'garbage') return new Response('\u0000\u0001', { status: 200 });
    }
    const header = await challenge(h);
    const body =
      h.body === 'huge' || h.body === 'drip'
        ? stream(h.body)
        : h.body === 'json'
          ? JSON.stringify({ error: 'payment_required', priceMsat: h.price })
          : h.body === 'lying_price'
            ? JSON.stringify({ error: 'payment_required', priceMsat: Math.max(1, Math.floor(h.price / 100)) })
            : h.body === 'garbage'
              ? '{"priceMsat":'
              : null;
    const reason =
      h.after === 'quota_402' && req.headers.get('authorization') ? 'quota_exhausted' : 'missing';
    return new Response(body ?? (h.body === 'json' ? JSON.stringify({ reason }) : null), {
      status: 402,
      headers: header === undefined ? {} : { 'www-authenticate': header, 'content-type': 'application/json' },
    });
  };

  const client = createL402Client({
    node: w.buyer,
    fetch: fetch as typeof globalThis.fetch,
    clock: w.clock,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const t = newTally('client hostile 402s');
  const pending: Promise<unknown>[] = [];
  let i = 0;
  for (const h of draws(hostile, seed, count)) {
    started(t, count);
    const path = `/c/${i++}`;
    cases.set(path, h);
    const hints: PurchaseHints = {
      ...(h.hints === 'max_price' || h.hints === 'both' ? { maxPriceMsat: h.price } : {}),
      ...(h.hints === 'payee' || h.hints === 'both' ? { expectedPayee: w.seller.pubkey } : {}),
    };
    const judge = (r: Awaited<ReturnType<typeof client.purchase>>) => {
      r.response?.body?.cancel().catch(() => undefined);
      // This case's own challenge (cases judged late, drips, must not be matched with a later case's).
      const seen = r.macaroon !== undefined ? byMacaroon.get(r.macaroon) : undefined;
      if (r.paidMsat > 0) {
        const amount = r.quotedMsat ?? 0;
        const stated =
          h.body === 'json'
            ? h.price
            : h.body === 'lying_price'
              ? Math.max(1, Math.floor(h.price / 100))
              : undefined;
        const why = [
          seen && !seen.hashMatches && 'macaroon hash is not the invoice hash',
          stated !== undefined && amount !== stated && `paid ${amount} msat for a stated ${stated}`,
          hints.maxPriceMsat !== undefined &&
            amount > hints.maxPriceMsat &&
            `paid ${amount} over max ${hints.maxPriceMsat}`,
          hints.expectedPayee !== undefined &&
            r.payee !== hints.expectedPayee &&
            'paid another payee than expected',
        ].filter(Boolean);
        if (why.length)
          problem(t, 'forgeries', `${why.join('; ')} (${JSON.stringify({ ...h, mutation: undefined })})`);
      }
      outcome(t, r.paidMsat > 0 ? `paid:${r.outcome}` : r.outcome);
    };
    const run = client
      .purchase(`http://hostile.test${path}`, {}, hints)
      .then(judge, (err: unknown) =>
        problem(t, 'crashes', `${(err as Error)?.stack ?? String(err)} (${JSON.stringify(h)})`),
      );
    await w.clock.runUntilIdle();
    if (h.body === 'drip') pending.push(run);
    else if ((await withDeadline(run, 10_000)) === HANG) problem(t, 'hangs', JSON.stringify(h));
  }
  // A drip case ends once the client's request timeout stops its read: more than that (and a margin) is a hang.
  const settled = await withDeadline(Promise.all(pending), REQUEST_TIMEOUT_MS + 5_000);
  if (settled === HANG) {
    // Count each drip case that is still open.
    const open = await Promise.all(pending.map((p) => withDeadline(p, 1)));
    for (const o of open) if (o === HANG) problem(t, 'hangs', 'a 402 body that never ends');
  }
  return t;
}
