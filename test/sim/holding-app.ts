import { createHash } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { CreateInvoiceRequest, LightningNode } from '../../infra/lightning/node.js';
import { l402Paywall } from '../../services/paywall/index.js';
import type { Market, TestSeller } from '../buyer/market.js';

/** Seller a's paywall (5,000 msat, 1 call) issuing hold invoices it settles 90 s after issuing each. */
export function holdingApp(m: Market, a: TestSeller): Hono {
  const secrets = m.rng.fork('hold-preimages');
  const createInvoice = async (req: CreateInvoiceRequest) => {
    const preimage = Buffer.from(secrets.bytes(32));
    const paymentHash = createHash('sha256').update(preimage).digest('hex');
    const inv = await a.node.createHoldInvoice({ ...req, paymentHash });
    void m.clock.sleep(90_000).then(() => a.node.settleInvoice(preimage.toString('hex')).catch(() => {}));
    return inv;
  };
  const node = new Proxy(a.node, {
    get: (target, prop) => {
      if (prop === 'createInvoice') return createInvoice;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
  const paywall = l402Paywall({
    node,
    minter: a.minter,
    clock: m.clock,
    service: 'a',
    price: 5_000,
    maxCalls: 1,
  });
  const app = new Hono();
  app.get('/v1/data', paywall as MiddlewareHandler, (c) => c.json({ seller: 'a', data: 42 }));
  return app;
}
