/**
 * A prepaid call whose request is aborted before its answer goes out (its client half-closed or
 * closed the connection, or the server cut it at the end of its close grace) gets its call back,
 * within `maxCallsGivenBack`, once, durably on a state directory; a call whose answer went out
 * keeps it counted. Real sellers on real sockets (127.0.0.1), raw `net.Socket` clients; the
 * paywall alone with a handler that never answers: aborted-answer-held.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { listen } from '../../services/http/listen.js';
import type { PaywallEvent } from '../../services/paywall/index.js';
import { createSeller, type Seller, type SellerConfigInput } from '../../services/sellers/index.js';
import { challengeOf, makeWorld, payInvoice, type World } from './helpers.js';
import { answerThenClose, sendThenHalfClose } from './support/raw-socket.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const PATH = '/v1/anomalies';

/** A fresh state directory, removed after the tests. */
async function stateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'aborted-answer-'));
  dirs.push(d);
  return join(d, 'state');
}

/**
 * A data feed selling 3-call bundles at 10,000 msat a call, answering after `latencyMs` (virtual
 * time), its counters in `dir`, its events in `events`; `extra` adds to its config.
 */
const sellerOn = (
  w: World,
  dir: string,
  latencyMs: number,
  events: PaywallEvent[] = [],
  extra: Partial<SellerConfigInput> = {},
) => {
  const config: SellerConfigInput = {
    archetype: 'data-feed',
    price: { kind: 'fixed', msat: 10_000 },
    tiers: [{ kind: 'bundle', calls: 3 }],
    latency: { kind: 'fixed', ms: latencyMs },
    ...extra,
  };
  return createSeller(config, {
    node: w.seller,
    clock: w.clock,
    rng: w.rng.fork('seller'),
    stateDir: dir,
    onEvent: (e) => events.push(e),
  });
};

/** Buys a bundle from `seller`: the authorization to present. */
async function buyBundle(w: World, seller: Seller): Promise<string> {
  const { macaroon, invoice } = challengeOf(await seller.app.request(PATH));
  return formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
}

/** Runs the virtual clock once a handler sleeps on it (`idle`: its timers before), until idle. */
async function runHandler(w: World, idle: number): Promise<void> {
  while (w.clock.pending === idle) await new Promise((r) => setTimeout(r, 2));
  await w.clock.runUntilIdle();
}

/** What a call answered: `status calls-remaining`. */
const seen = (r: Response) => `${r.status} ${r.headers.get('L402-Calls-Remaining')}`;

/** The answer to one more call with `authorization`, from a fresh seller on `dir` answering at once. */
async function nextCallAfterRestart(w: World, dir: string, authorization: string): Promise<string> {
  const seller = await sellerOn(w, dir, 0);
  const http = await listen(seller.app.fetch);
  try {
    return seen(await fetch(http.url + PATH, { headers: { authorization } }));
  } finally {
    await http.close();
    await seller.close();
  }
}

describe('a prepaid call whose client half-closes after its request (real socket)', () => {
  it('gets no answer, and its call goes back durably: after a restart on the state directory the token answers 200 with 2 of its 3 calls left', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const events: PaywallEvent[] = [];
    const seller = await sellerOn(w, dir, 1_000, events);
    const http = await listen(seller.app.fetch);
    const authorization = await buyBundle(w, seller);
    const idle = w.clock.pending;

    const received = sendThenHalfClose(http, authorization, PATH);
    await runHandler(w, idle);
    expect(await received).toBe('');
    await http.close();
    await seller.close();

    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['challenge', 'missing'],
      ['authorized', undefined],
      ['given_back', 'request_aborted'],
    ]);
    expect(await nextCallAfterRestart(w, dir, authorization)).toBe('200 2');
  });
});

describe('a prepaid call answered before its request is aborted', () => {
  it('keeps its call when its client closes after reading the whole answer: 200 with 2 left, then after a restart 200 with 1 left', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const events: PaywallEvent[] = [];
    const seller = await sellerOn(w, dir, 1_000, events);
    const http = await listen(seller.app.fetch);
    const authorization = await buyBundle(w, seller);
    const idle = w.clock.pending;

    const received = answerThenClose(http, authorization, PATH);
    await runHandler(w, idle);
    const answer = await received;
    await http.close();
    await seller.close();

    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(answer).toMatch(/\r\nl402-calls-remaining: 2\r\n/i);
    expect(events.map((e) => e.type)).toEqual(['challenge', 'authorized']);
    expect(await nextCallAfterRestart(w, dir, authorization)).toBe('200 1');
  });

  it("keeps its call when the caller's signal aborts after the in-process app answered: the next call answers 200 with 1 left", async () => {
    const w = makeWorld();
    const events: PaywallEvent[] = [];
    const seller = await sellerOn(w, await stateDir(), 0, events);
    try {
      const authorization = await buyBundle(w, seller);
      const caller = new AbortController();
      const first = await seller.app.request(PATH, { headers: { authorization }, signal: caller.signal });
      caller.abort();
      const next = await seller.app.request(PATH, { headers: { authorization } });
      expect([seen(first), seen(next)]).toEqual(['200 2', '200 1']);
      expect(events.map((e) => e.type)).toEqual(['challenge', 'authorized', 'authorized']);
    } finally {
      await seller.close();
    }
  });
});

describe('a prepaid call aborted before its answer, given back', () => {
  it('once, when its handler also answers 500 afterwards: with maxCallsGivenBack 2, two such calls both go back and the token then answers 200 with 2 left', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const events: PaywallEvent[] = [];
    const failing = { failureRate: 1, maxCallsGivenBack: 2 };
    const seller = await sellerOn(w, dir, 1_000, events, failing);
    const http = await listen(seller.app.fetch);
    const authorization = await buyBundle(w, seller);
    for (let i = 0; i < 2; i++) {
      const idle = w.clock.pending;
      const received = sendThenHalfClose(http, authorization, PATH);
      await runHandler(w, idle);
      expect(await received).toBe('');
    }
    await http.close();
    await seller.close();

    expect(events.filter((e) => e.type === 'given_back').length).toBe(2);
    expect(await nextCallAfterRestart(w, dir, authorization)).toBe('200 2');
  });

  it('within maxCallsGivenBack: with 1, the first aborted call goes back and the second stays counted, so the token then answers 200 with 1 left', async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const events: PaywallEvent[] = [];
    const seller = await sellerOn(w, dir, 1_000, events, { maxCallsGivenBack: 1 });
    const http = await listen(seller.app.fetch);
    const authorization = await buyBundle(w, seller);
    for (let i = 0; i < 2; i++) {
      const idle = w.clock.pending;
      const received = sendThenHalfClose(http, authorization, PATH);
      await runHandler(w, idle);
      expect(await received).toBe('');
    }
    await http.close();
    await seller.close();

    expect(events.map((e) => e.type)).toEqual(['challenge', 'authorized', 'given_back', 'authorized']);
    expect(await nextCallAfterRestart(w, dir, authorization)).toBe('200 1');
  });

  it("still running when the server's close grace ends (the connection cut): goes back before the seller closes, so after a restart the token answers 200 with 2 left", async () => {
    const w = makeWorld();
    const dir = await stateDir();
    const events: PaywallEvent[] = [];
    const seller = await sellerOn(w, dir, 1_000, events);
    const http = await listen(seller.app.fetch, { graceMs: 50 });
    const authorization = await buyBundle(w, seller);
    const idle = w.clock.pending;
    const answer = fetch(http.url + PATH, { headers: { authorization } }).then(seen, () => 'cut');
    while (w.clock.pending === idle) await new Promise((r) => setTimeout(r, 2));

    // The handler sleeps on the virtual clock: the grace ends with it under way. Once closed, the
    // call is given back: the handler answering then changes nothing.
    await http.close();
    await w.clock.runUntilIdle();
    await seller.close();

    expect(await answer).toBe('cut');
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['challenge', 'missing'],
      ['authorized', undefined],
      ['given_back', 'request_aborted'],
    ]);
    expect(await nextCallAfterRestart(w, dir, authorization)).toBe('200 2');
  });
});
