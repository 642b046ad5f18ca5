/**
 * A paid call a seller counted gets its answer on a real socket when the
 * seller stops while it runs (the CLI's SIGTERM closes the socket, then the
 * seller), and the token's count stays exact across a restart on the state
 * directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { listen } from '../../services/http/listen.js';
import { createSeller, type Seller, type SellerConfigInput } from '../../services/sellers/index.js';
import { challengeOf, makeWorld, payInvoice, type World } from '../paywall/helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const PATH = '/v1/anomalies';

/** A data feed selling 3-call bundles at 10,000 msat a call, answering after `latencyMs` (virtual time), its state in `stateDir`. */
const sellerOn = (w: World, latencyMs: number, stateDir: string) => {
  const config: SellerConfigInput = {
    archetype: 'data-feed',
    price: { kind: 'fixed', msat: 10_000 },
    tiers: [{ kind: 'bundle', calls: 3 }],
    latency: { kind: 'fixed', ms: latencyMs },
  };
  return createSeller(config, {
    node: w.seller,
    clock: w.clock,
    rng: w.rng.fork('seller'),
    stateDir,
  });
};

/** Buys a bundle from `seller`: the authorization to present. */
async function buyBundle(w: World, seller: Seller): Promise<string> {
  const { macaroon, invoice } = challengeOf(await seller.app.request(PATH));
  return formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
}

const seen = (r: Response) => `${r.status} ${r.headers.get('L402-Calls-Remaining')}`;

describe('a paid call on a real socket', () => {
  it('running when the seller stops gets its 200 (2 calls left), and after a restart on the state directory the token answers 200 with 1 left', async () => {
    const w = makeWorld();
    const d = await mkdtemp(join(tmpdir(), 'paid-call-stop-'));
    dirs.push(d);
    const dir = join(d, 'state');
    let seller = await sellerOn(w, 1_000, dir);
    let http = await listen(seller.app.fetch);
    const authorization = await buyBundle(w, seller);
    const idle = w.clock.pending;
    const answer = fetch(http.url + PATH, { headers: { authorization } }).then(seen, () => 'failed');
    // Counted (on disk) and asleep for its latency: the call is under way.
    while (w.clock.pending === idle) await new Promise((r) => setTimeout(r, 2));
    expect(http.inFlight()).toBe(1);

    const closed = http.close();
    await w.clock.runUntilIdle();
    expect(await answer).toBe('200 2');
    await closed;
    await seller.close();

    seller = await sellerOn(w, 0, dir);
    http = await listen(seller.app.fetch);
    try {
      expect(seen(await fetch(http.url + PATH, { headers: { authorization } }))).toBe('200 1');
    } finally {
      await http.close();
      await seller.close();
    }
  });
});
