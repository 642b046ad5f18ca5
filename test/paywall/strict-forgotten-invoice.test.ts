import { describe, expect, it } from 'vitest';
import { MemoryRootKeyStore, createMinter } from '../../infra/l402/index.js';
import { SimNetwork, zeroLatency } from '../../infra/lightning/simnet/index.js';
import { createRng, insecureSeededSecrets } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { appWith, buy, inMemory, type World } from './helpers.js';

/** `makeWorld`'s market on a network that forgets settled invoices once expired (what the market simulator runs). */
function forgetfulWorld(): World {
  const clock = new VirtualClock();
  const rng = createRng(1);
  const net = new SimNetwork({
    clock,
    rng: rng.fork('net'),
    secrets: insecureSeededSecrets(rng.fork('net')),
    latency: zeroLatency(),
    forgetSettledInvoices: true,
  });
  const [seller, buyer, other] = ['seller', 'buyer', 'other'].map((alias) => net.addNode({ alias }));
  net.openChannel(buyer!, seller!, { capacityMsat: 100_000_000 });
  const rootKeys = new MemoryRootKeyStore();
  const keys = insecureSeededSecrets(rng.fork('keys'));
  const minter = createMinter({ rootKeys, randomBytes: (n) => keys.bytes(n) });
  return { clock, rng, net, seller: seller!, buyer: buyer!, other: other!, minter, rootKeys };
}

const strictApp = (w: World) =>
  appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, maxCalls: 5, strict: true }));

describe('strict mode on a network that forgot the settled invoice', () => {
  it('a paid 5-call token is still served (200, not 503) by a restarted strict paywall after its invoice expired and was swept', async () => {
    const w = forgetfulWorld();
    const { authorization, res } = await buy(w, inMemory(strictApp(w)), '/v1/data');
    expect(res.status).toBe(200);
    // The invoice (600 s) expires; 1,023 more make 1,024 issued: the sweep forgets the settled one.
    await w.clock.advance(601_000);
    for (let i = 0; i < 1_023; i++) await w.seller.createInvoice({ amountMsat: 1_000 });
    expect(w.net.invoicesHeld()).toBe(1_023);
    expect(w.net.paymentsHeld()).toBe(0);
    // A restarted paywall: its settled cache is empty, so it asks the node.
    const again = await strictApp(w).request('/v1/data', { headers: { authorization } });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, data: 42 });
  });
});
