import { createL402Client } from '../../agents/l402/index.js';
import type { L402Client, PurchaseHints, PurchaseResult } from '../../agents/l402/index.js';
import { makeWorld } from '../paywall/helpers.js';
import type { FuzzTally } from './fuzz-common.js';
import { HANG, draws, finished, newTally, outcome, problem, started, withDeadline } from './fuzz-common.js';
import { hostile, hostileFetch, hostileSeller, statedMsat } from './fuzz-hostile-seller.js';
import type { Hostile, OpenCase, Seller } from './fuzz-hostile-seller.js';

/** The client's request timeout in the fuzz: a dripped body ends this long after its request. */
const REQUEST_TIMEOUT_MS = 2_000;
/** Cases per buyer session: each session is a fresh L402 client (its token store keeps what it paid for). */
const SESSION_CASES = 1_000;
/** Virtual time between cases: the sellers' invoices (1 h expiry) lapse 3,600 cases after they were made. */
const CASE_SPACING_MS = 1_000;

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
  const seller = hostileSeller(w, seed);
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
