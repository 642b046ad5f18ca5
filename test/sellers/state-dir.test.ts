/**
 * A seller with a state directory (`SellerDeps.stateDir`, what `npm run seller` gives it) keeps its
 * root key and its quota counters there: stopped and started again on the directory, it honours
 * every token it sold, with the calls they have left, and sells no call twice.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { createSeller, type Seller } from '../../services/sellers/index.js';
import { challengeOf, json, makeWorld, payInvoice, type World } from '../paywall/helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'seller-state-'));
  dirs.push(d);
  return join(d, 'state');
}

const PATH = '/v1/anomalies';

/** A data-feed seller at 10,000 msat a call selling `calls`-call bundles, its state in `dir`. */
const sellerOn = (w: World, dir: string, calls = 20) =>
  createSeller(
    { archetype: 'data-feed', price: { kind: 'fixed', msat: 10_000 }, tiers: [{ kind: 'bundle', calls }] },
    { node: w.seller, clock: w.clock, rng: w.rng.fork('seller'), stateDir: dir },
  );

/** Buys a bundle from `seller`: the authorization to present. */
async function buyBundle(w: World, seller: Seller): Promise<string> {
  const { macaroon, invoice } = challengeOf(await seller.app.request(PATH));
  return formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
}

/**
 * One call with the token. The seller answers after its latency, on the virtual clock, once its
 * count is on disk (real time): the clock runs until the answer is there.
 */
async function call(w: World, seller: Seller, authorization: string): Promise<Response> {
  let answered = false;
  const answer = Promise.resolve(seller.app.request(PATH, { headers: { authorization } })).finally(
    () => (answered = true),
  );
  while (!answered) {
    await w.clock.runUntilIdle();
    await new Promise((r) => setTimeout(r, 1));
  }
  return answer;
}

const seen = (r: Response) => `${r.status} ${r.headers.get('L402-Calls-Remaining')}`;

describe('a seller restarted on its state directory', () => {
  it("honours a 20-call bundle used once: the next call answers 200 with 18 calls left, no challenge, and the seller's node issues no new invoice", async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const first = await sellerOn(w, dir);
    const authorization = await buyBundle(w, first);
    expect(seen(await call(w, first, authorization))).toBe('200 19');
    await first.close();

    const opened: string[] = [];
    w.seller.onInvoice((inv) => void (inv.state === 'open' && opened.push(inv.paymentHash)));
    const again = await sellerOn(w, dir);
    const res = await call(w, again, authorization);
    expect([seen(res), res.headers.get('www-authenticate')]).toEqual(['200 18', null]);
    expect(opened).toEqual([]);
    await again.close();
  });

  it('does not hand out again the calls used before it: a 3-call bundle used up is refused quota_exhausted after the restart', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const first = await sellerOn(w, dir, 3);
    const authorization = await buyBundle(w, first);
    const before = [];
    for (let i = 0; i < 3; i++) before.push(seen(await call(w, first, authorization)));
    await first.close();

    const again = await sellerOn(w, dir, 3);
    const res = await call(w, again, authorization);
    expect(before).toEqual(['200 2', '200 1', '200 0']);
    expect([res.status, await json(res)]).toMatchObject([
      402,
      { reason: 'quota_exhausted', message: 'all 3 calls of this token are used' },
    ]);
    await again.close();
  });
});

describe('a state directory is refused', () => {
  it('to a second seller while the first holds it, naming the holder; once the first closed, it opens', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const first = await sellerOn(w, dir);
    await expect(sellerOn(w, dir)).rejects.toThrow(
      `seller state directory ${dir} is in use by process ${process.pid} (this one): one seller per state directory; ` +
        'stop that seller, or give this one its own directory (--state-dir)',
    );
    await first.close();
    await (await sellerOn(w, dir)).close();
  });

  it('when its root key is world-readable (mode 0644): the seller does not start', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    await (await sellerOn(w, dir)).close();
    const key = join(dir, 'root-key');
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    await chmod(key, 0o644);
    await expect(sellerOn(w, dir)).rejects.toThrow(
      `${key} has mode 0644: others than its owner may use it, and whoever reads it can mint this seller's tokens; ` +
        `run chmod 600 ${key} (and if others did read it, remove the directory to start afresh)`,
    );
    // The refusal let the directory go: fixed, it opens.
    await chmod(key, 0o600);
    await (await sellerOn(w, dir)).close();
  });

  it('when its root key is not 64 hex digits', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    await (await sellerOn(w, dir)).close();
    const key = join(dir, 'root-key');
    expect(await readFile(key, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    await writeFile(key, 'not a key\n');
    await expect(sellerOn(w, dir)).rejects.toThrow(
      `${key} does not hold a root key (64 lowercase hex digits): restore it from a backup, ` +
        'or remove the directory to start afresh (every token sold so far stops working)',
    );
  });

  it('when its root key is there without the quota counters (they would sell every call again)', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    await (await sellerOn(w, dir)).close();
    await rm(join(dir, 'quotas.jsonl'));
    await expect(sellerOn(w, dir)).rejects.toThrow(
      `${join(dir, 'root-key')} has no quotas.jsonl beside it: the calls its tokens used are unknown`,
    );
  });

  it('when its quota counters count calls but the root key of their tokens is gone', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const first = await sellerOn(w, dir);
    await call(w, first, await buyBundle(w, first));
    await first.close();
    await rm(join(dir, 'root-key'));
    await expect(sellerOn(w, dir)).rejects.toThrow(
      `${join(dir, 'quotas.jsonl')} counts calls of tokens whose root key ${join(dir, 'root-key')} is gone`,
    );
  });
});
