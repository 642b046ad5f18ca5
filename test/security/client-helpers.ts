/**
 * Hostile sellers for client tests: a Hono app on the buyer test market whose
 * 402 is built by hand from a real minted macaroon and a real signed invoice
 * from the seller's simnet node, so the test chooses what the body states,
 * what the invoice asks and when it expires.
 */
import { Hono } from 'hono';
import { createMinter, formatChallenge, MemoryRootKeyStore } from '../../infra/l402/index.js';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import type { Market } from '../buyer/market.js';

export interface ForgedQuote {
  /** What the 402 body says the price is. */
  statedMsat: number;
  /** What the invoice asks. */
  invoiceMsat: number;
  /** Invoice expiry (default 600 s). */
  expirySec?: number;
}

/** Mounts `host` answering every request with a 402 built from `quote`. */
export function mountForgedSeller(
  m: Market,
  host: string,
  quote: ForgedQuote,
): { node: SimNode; url: string } {
  const node = m.addNode(host);
  const keyRng = m.rng.fork(`keys/${host}`);
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keyRng.bytes(n) });
  const app = new Hono();
  app.get('/v1/data', async (c) => {
    const inv = await node.createInvoice({
      amountMsat: quote.invoiceMsat,
      expirySec: quote.expirySec ?? 600,
    });
    const minted = await minter.mint({ paymentHash: inv.paymentHash, caveats: [] });
    return c.json({ error: 'payment_required', reason: 'missing', priceMsat: quote.statedMsat }, 402, {
      'WWW-Authenticate': formatChallenge({ macaroon: minted.token, invoice: inv.paymentRequest }),
    });
  });
  m.mount(host, app);
  return { node, url: `http://${host}/v1/data` };
}
