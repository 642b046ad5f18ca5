/**
 * An LSAT-era seller (lsat-js, boltwall, Rust servers matching `LSAT (.*?):([a-f0-9]{64})`): real
 * macaroons from a minter and invoices from its simnet node, on one route, `GET /v1/data`.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import type { Market } from './market.js';

export type Scheme = 'LSAT' | 'L402';

/** What the seller offers and accepts. */
export interface LsatSellerSpec {
  /** The node it invoices on (default: a new node `lsat-seller`). */
  node?: SimNode;
  /** The challenges of its 402, in this order, joined as Aperture joins them. */
  offers: Scheme[];
  /** The schemes of `Authorization: <scheme> <mac>:<preimage>` it accepts (any other is a new 402). */
  accepts: Scheme[];
  /** The invoice amount (default 5,000 msat). */
  priceMsat?: number;
  /** First-party caveats of each token it mints (default none). */
  caveats?: string[];
}

/**
 * The seller's app: a request whose credential is in a scheme it accepts and whose preimage opens
 * a hash it invoiced is served `{ data: 42 }` (it keeps no call count); any other gets a 402 with a
 * new invoice. `seen`: the scheme of each request's Authorization, `-` for none.
 */
export function lsatSellerApp(m: Market, spec: LsatSellerSpec): { app: Hono; node: SimNode; seen: string[] } {
  const node = spec.node ?? m.addNode('lsat-seller');
  const rng = m.rng.fork('lsat-seller');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const paid = new Set<string>();
  const seen: string[] = [];
  const credential = new RegExp(`^(${spec.accepts.join('|')}) (.*?):([a-f0-9]{64})$`);
  const app = new Hono();
  app.get('/v1/data', async (c) => {
    const auth = c.req.header('authorization') ?? '';
    seen.push(auth.split(' ')[0] || '-');
    const got = credential.exec(auth);
    const hash = got && createHash('sha256').update(Buffer.from(got[3]!, 'hex')).digest('hex');
    if (hash && paid.has(hash)) return c.json({ data: 42 });
    const invoice = await node.createInvoice({ amountMsat: spec.priceMsat ?? 5_000 });
    const { token } = await minter.mint({ paymentHash: invoice.paymentHash, caveats: spec.caveats ?? [] });
    paid.add(invoice.paymentHash);
    const challenge = spec.offers
      .map((s) => `${s} macaroon="${token}", invoice="${invoice.paymentRequest}"`)
      .join(', ');
    return c.json({ error: 'payment required' }, 402, { 'WWW-Authenticate': challenge });
  });
  return { app, node, seen };
}
