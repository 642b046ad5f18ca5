import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { paymentHashOfToken } from '../../infra/l402/index.js';
import { HOLD_REQUEST, challengeOf, holdPaywall, makeWorld, type World } from './helpers.js';

/** A pay-on-success route and the log lines of its paywall. */
function holdRoute(w: World) {
  const lines: Array<{ msg: string; why?: string; state?: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const paywall = holdPaywall(w, { logger });
  const app = new Hono();
  app.get('/v1/job', paywall, (c) => c.json({ result: 'ok' }));
  return { app, paywall, lines };
}

/** Asks for `n` hold invoices nobody pays; returns their payment hashes. */
async function unpaidChallenges(app: Hono, n: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await app.request('/v1/job', { headers: HOLD_REQUEST });
    if (res.status !== 402) throw new Error(`challenge ${i}: expected 402, got ${res.status}`);
    hashes.push(paymentHashOfToken(challengeOf(res).macaroon));
  }
  return hashes;
}

describe('pay-on-success challenges nobody pays do not stay on the seller node', () => {
  it('1,023 unpaid hold invoices past their 600 s expiry are forgotten when the 1,024th is issued: 1 invoice held', async () => {
    const w = makeWorld();
    const { app } = holdRoute(w);
    const hashes = await unpaidChallenges(app, 1_023);
    expect(w.net.invoicesHeld()).toBe(1_023);
    await w.clock.advance(600_000);
    await unpaidChallenges(app, 1);
    expect(w.net.invoicesHeld()).toBe(1);
    expect(await w.seller.lookupInvoice(hashes[0]!)).toBeUndefined();
  });

  it('close() after the node forgot 1,023 expired unpaid holds logs each as canceled, none as unresolved', async () => {
    const w = makeWorld();
    const { app, paywall, lines } = holdRoute(w);
    await unpaidChallenges(app, 1_023);
    await w.clock.advance(600_000);
    // Issued by the node, not the paywall: the node sweeps, the paywall's hold book still lists the 1,023.
    await w.seller.createInvoice({ amountMsat: 1_000 });
    expect(w.net.invoicesHeld()).toBe(1);
    await paywall.close();
    const resolved = lines.filter((l) => l.msg === 'hold invoice resolved' && l.state === 'canceled');
    expect(resolved.length).toBe(1_023);
    expect(lines.filter((l) => l.msg.startsWith('could not resolve')).length).toBe(0);
  });
});
