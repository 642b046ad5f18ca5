import { Hono } from 'hono';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import type { Market } from './market.js';

/**
 * A seller at scoped.test whose 10-call tokens cover /v1 (so /v1/a and /v1/b),
 * 5,000 msat each, behind the real paywall on a node of its own (hold invoices with
 * `payOnSuccess`); counts its 402s.
 */
export function prefixSeller(
  m: Market,
  { payOnSuccess = false }: { payOnSuccess?: boolean } = {},
): { node: SimNode; challenges: () => number } {
  const node = m.addNode('scoped');
  const rng = m.rng.fork('scoped');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const paywall = l402Paywall({
    node,
    minter,
    clock: m.clock,
    service: 'scoped',
    price: 5_000,
    maxCalls: 10,
    pathPrefix: '/v1',
    ...(payOnSuccess ? { payOnSuccess: true, randomBytes: (n: number) => rng.bytes(n) } : {}),
  });
  let challenges = 0;
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    if (c.res.status === 402) challenges++;
  });
  app.get('/v1/a', paywall, (c) => c.json({ path: 'a' }));
  app.get('/v1/b', paywall, (c) => c.json({ path: 'b' }));
  m.mount('scoped.test', app);
  return { node, challenges: () => challenges };
}
