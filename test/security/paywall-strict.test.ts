import { describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import type {
  Balances,
  CreateHoldInvoiceRequest,
  CreateInvoiceRequest,
  Invoice,
  LightningNode,
  NodeInfo,
  Payment,
  PayOptions,
} from '../../infra/lightning/node.js';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { appWith, challengeOf, json, makeWorld, payInvoice } from '../paywall/helpers.js';

/** The seller's real node behind a switch: while `down`, invoice lookups fail as during a restart or a timeout. */
class RestartingNode implements LightningNode {
  down = false;
  lookups = 0;
  constructor(private readonly node: SimNode) {}
  info(): Promise<NodeInfo> {
    return this.node.info();
  }
  createInvoice(req: CreateInvoiceRequest): Promise<Invoice> {
    return this.node.createInvoice(req);
  }
  createHoldInvoice(req: CreateHoldInvoiceRequest): Promise<Invoice> {
    return this.node.createHoldInvoice(req);
  }
  settleInvoice(preimageHex: string): Promise<void> {
    return this.node.settleInvoice(preimageHex);
  }
  cancelInvoice(paymentHashHex: string): Promise<void> {
    return this.node.cancelInvoice(paymentHashHex);
  }
  pay(bolt11: string, opts?: PayOptions): Promise<Payment> {
    return this.node.pay(bolt11, opts);
  }
  async lookupInvoice(paymentHashHex: string): Promise<Invoice | undefined> {
    this.lookups++;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:8080');
    return this.node.lookupInvoice(paymentHashHex);
  }
  lookupPayment(paymentHashHex: string): Promise<Payment | undefined> {
    return this.node.lookupPayment(paymentHashHex);
  }
  balances(): Promise<Balances> {
    return this.node.balances();
  }
  onInvoice(listener: (invoice: Invoice) => void): () => void {
    return this.node.onInvoice(listener);
  }
}

describe('strict mode when the token state is unknown', () => {
  it('answers a paid token with 503 and Retry-After while the node cannot say, never a new invoice, then serves it', async () => {
    const w = makeWorld();
    const node = new RestartingNode(w.seller);
    const challenges: string[] = [];
    const app = appWith(
      l402Paywall({
        ...w,
        node,
        service: 'weather',
        price: 20_000,
        strict: true,
        onEvent: (e) => e.type === 'challenge' && challenges.push(e.paymentHash!),
      }),
    );
    const first = await app.request('/v1/data');
    const { macaroon, invoice } = challengeOf(first);
    const preimage = await payInvoice(w, w.buyer, invoice);
    const authorization = formatAuthorization({ macaroon, preimage });
    const buyerAfterPaying = (await w.buyer.balances()).localMsat;

    node.down = true;
    const during = await app.request('/v1/data', { headers: { authorization } });
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('1');
    expect(during.headers.get('www-authenticate')).toBeNull();
    expect(await json(during)).toEqual({
      error: 'token_state_unknown',
      // The node's own error (its address, its path) stays in the seller's log.
      message: `cannot tell whether invoice ${challenges[0]} is paid (the seller's node did not answer); retry later with the same token`,
    });
    expect(challenges).toHaveLength(1);

    node.down = false;
    const after = await app.request('/v1/data', { headers: { authorization } });
    expect(after.status).toBe(200);
    expect(challenges).toHaveLength(1);
    expect((await w.buyer.balances()).localMsat).toBe(buyerAfterPaying);
  });

  it('answers 503 for a token whose invoice the node has no record of', async () => {
    const w = makeWorld();
    // An invoice of another node: this seller's node cannot say whether it was paid.
    const foreign = await w.other.createInvoice({ amountMsat: 1_000 });
    const { token } = await w.minter.mint({
      paymentHash: foreign.paymentHash,
      caveats: ['services=weather:0'],
    });
    const app = appWith(
      l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, strict: true }),
    );
    const res = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon: token, preimage: foreign.preimage! }) },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});
