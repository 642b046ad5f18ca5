/**
 * The paywall on a real socket (127.0.0.1) with a handler that never answers: a prepaid call cut
 * when the server's close grace ends is given back by the time `close()` resolves, and a call whose
 * client half-closed goes back unless `releaseQuotaOnServerError` is false.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { TokenFacts } from '../../infra/l402/index.js';
import { listen } from '../../services/http/listen.js';
import {
  l402Paywall,
  MemoryQuotaStore,
  type L402PaywallOptions,
  type L402Variables,
} from '../../services/paywall/index.js';
import { buy, inMemory, makeWorld, type World } from './helpers.js';
import { sendThenHalfClose } from './support/raw-socket.js';

/**
 * A paywall selling 3-call tokens for /v1/data, counting in `quotaStore`, whose handler keeps the
 * facts of its last call and, while `hold.on`, never answers.
 */
function heldApp(w: World, quotaStore: MemoryQuotaStore, extra: Partial<L402PaywallOptions> = {}) {
  const seen = { facts: undefined as TokenFacts | undefined, hold: { on: false } };
  const app = new Hono<{ Variables: L402Variables }>();
  const paywall = l402Paywall({
    ...w,
    node: w.seller,
    service: 'weather',
    price: 2_000,
    maxCalls: 3,
    quotaStore,
    ...extra,
  });
  app.get('/v1/data', paywall, async (c) => {
    seen.facts = c.get('l402');
    if (seen.hold.on) await new Promise<never>(() => undefined);
    return c.json({ ok: true });
  });
  return { app, seen };
}

describe('the paywall on a real socket, its handler held', () => {
  it("gives back a call still running when the server's close grace ends by the time close() resolves: its count goes from 2 back to 1", async () => {
    const w = makeWorld();
    const store = new MemoryQuotaStore();
    const { app, seen } = heldApp(w, store);
    const { authorization } = await buy(w, inMemory(app), '/v1/data');
    const key = seen.facts!.quotas[0]!.key;
    seen.hold.on = true;
    const http = await listen(app.fetch, { graceMs: 50 });
    const answer = fetch(http.url + '/v1/data', { headers: { authorization } }).then(
      (r) => String(r.status),
      () => 'cut',
    );
    while (store.used(key) !== 2) await new Promise((r) => setTimeout(r, 2));

    await http.close();
    expect(store.used(key)).toBe(1);
    expect(await answer).toBe('cut');
  });

  it.each([
    ['gives it back by default', 1, true],
    ['keeps it counted with releaseQuotaOnServerError false', 2, false],
  ])(
    'of a client that half-closes after its request %s: its count is %i once the request is gone',
    async (_what, used, release) => {
      const w = makeWorld();
      const store = new MemoryQuotaStore();
      const { app, seen } = heldApp(w, store, { releaseQuotaOnServerError: release });
      const { authorization } = await buy(w, inMemory(app), '/v1/data');
      const key = seen.facts!.quotas[0]!.key;
      seen.hold.on = true;
      const http = await listen(app.fetch);
      try {
        expect(await sendThenHalfClose(http, authorization, '/v1/data')).toBe('');
        while (http.inFlight() !== 0) await new Promise((r) => setTimeout(r, 2));
        expect(store.used(key)).toBe(used);
      } finally {
        await http.close();
      }
    },
  );
});
