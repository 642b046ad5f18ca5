import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';

/** Invoices a real LND 0.20 regtest node made, next to LND's own decoding of them. */
interface Fixture {
  invoices: {
    payment_request: string;
    lnd_decodepayreq: {
      destination: string;
      payment_hash: string;
      num_msat: string;
      timestamp: string;
      expiry: string;
      description: string;
      description_hash: string;
      cltv_expiry: string;
      payment_addr: string;
      features: Record<string, unknown>;
    };
  }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/lnd-invoice.json', import.meta.url), 'utf8'),
) as Fixture;

describe('decodeInvoice on invoices made by a real LND regtest node', () => {
  for (const { payment_request: pr, lnd_decodepayreq: lnd } of fixture.invoices) {
    it(`agrees with LND's decodepayreq on ${pr.slice(0, 24)}…`, () => {
      const d = decodeInvoice(pr, { expectedNetwork: 'regtest' });
      expect(d.payee).toBe(lnd.destination);
      expect(d.paymentHash).toBe(lnd.payment_hash);
      expect(d.amountMsat ?? 0).toBe(Number(lnd.num_msat));
      expect(d.timestampSec).toBe(Number(lnd.timestamp));
      expect(d.expirySec).toBe(Number(lnd.expiry));
      expect(d.expiresAtMs).toBe((Number(lnd.timestamp) + Number(lnd.expiry)) * 1000);
      expect(d.description ?? '').toBe(lnd.description);
      expect(d.descriptionHash ?? '').toBe(lnd.description_hash);
      expect(d.minFinalCltvExpiry).toBe(Number(lnd.cltv_expiry));
      expect(Buffer.from(d.paymentSecret!, 'hex').toString('base64')).toBe(lnd.payment_addr);
      expect(d.features).toEqual(Object.keys(lnd.features).map(Number));
      expect(d.signed).toBe(true);
    });
  }

  it('refuses the LND regtest invoice where mainnet is expected', () => {
    expect(() => decodeInvoice(fixture.invoices[0]!.payment_request, { expectedNetwork: 'mainnet' })).toThrow(
      expect.objectContaining({ code: 'wrong_network' }),
    );
  });
});
