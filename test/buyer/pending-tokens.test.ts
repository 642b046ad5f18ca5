import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createL402Client,
  FileTokenStore,
  MemoryTokenStore,
  type StoredToken,
} from '../../agents/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { settle } from '../../infra/time/virtual-clock.js';
import { makeMarket } from './market.js';
import { prefixSeller } from './prefix-seller.js';

const hash = (b: string) => b.repeat(32);
const token = (over: Partial<StoredToken> = {}): StoredToken => ({
  origin: 'http://a.test',
  pathPrefix: '/v1',
  macaroon: 'AgEEbHNhdA',
  paymentHash: hash('aa'),
  preimage: 'bb'.repeat(32),
  state: 'paid',
  createdAt: 0,
  callsUsed: 0,
  ...over,
});
const pending = (h: string, over: Partial<StoredToken> = {}) =>
  token({ paymentHash: hash(h), state: 'pending', preimage: undefined, ...over });

describe('pending tokens are kept by payment hash', () => {
  it('a second pending token for a scope is stored beside the first, which the scope answers second', async () => {
    const store = new MemoryTokenStore();
    await store.put(token());
    await store.put(pending('01'));
    await store.put(pending('02'));
    expect(store.list().map((t) => [t.state, t.paymentHash])).toEqual([
      ['paid', hash('aa')],
      ['pending', hash('01')],
      ['pending', hash('02')],
    ]);
    expect(store.get('http://a.test', '/v1/data')?.paymentHash).toBe(hash('02'));
    await store.evict('http://a.test', '/v1', hash('02'));
    expect(store.get('http://a.test', '/v1/data')?.paymentHash).toBe(hash('01'));
  });

  it('completing a pending token replaces the paid token of its scope and leaves the other pending one', async () => {
    const store = new MemoryTokenStore();
    await store.put(token());
    await store.put(pending('01'));
    await store.put(pending('02'));
    await store.put(token({ paymentHash: hash('01') }));
    expect(store.list().map((t) => [t.state, t.paymentHash])).toEqual([
      ['paid', hash('01')],
      ['pending', hash('02')],
    ]);
  });

  it('an eviction without a payment hash drops the paid token of the scope, never a pending one', async () => {
    const store = new MemoryTokenStore();
    await store.put(token());
    await store.put(pending('01'));
    await store.evict('http://a.test', '/v1');
    expect(store.list().map((t) => t.paymentHash)).toEqual([hash('01')]);
    await store.evict('http://a.test', '/v1');
    await store.evict('http://a.test', '/v2', hash('01'));
    expect(store.list().map((t) => t.paymentHash)).toEqual([hash('01')]);
  });

  it('a token file keeps one scope’s paid token and its two pending ones as a version 1 token list and reads all three back', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'l402-pending-')), 'tokens.json');
    const store = await FileTokenStore.open(path);
    await store.put(token());
    await store.put(pending('01'));
    await store.put(pending('02'));
    await store.close();
    const file = JSON.parse(await readFile(path, 'utf8')) as { version: number; tokens: StoredToken[] };
    expect(file.version).toBe(1);
    expect(file.tokens.map((t) => [t.pathPrefix, t.state, t.paymentHash])).toEqual([
      ['/v1', 'paid', hash('aa')],
      ['/v1', 'pending', hash('01')],
      ['/v1', 'pending', hash('02')],
    ]);
    const again = await FileTokenStore.open(path);
    expect(again.list()).toEqual(store.list());
    await again.close();
  });
});

describe('a payment in flight for a token scope', () => {
  it("recover() during the engine's own payment, before the node knows it, leaves its pending token to the purchase: inFlight 1, then the purchase succeeds and keeps its token", async () => {
    const m = makeMarket();
    prefixSeller(m);
    // The node takes 10 ms to decode the invoice before it registers the payment (as LND does).
    const slow = new Proxy(m.buyer, {
      get(target, prop, receiver) {
        if (prop === 'pay')
          return async (bolt11: string, opts: Parameters<LightningNode['pay']>[1]) => {
            await m.clock.sleep(10);
            return target.pay(bolt11, opts);
          };
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as LightningNode;
    const client = createL402Client({ node: slow, fetch: m.fetch, clock: m.clock });
    const buying = client.purchase('http://scoped.test/v1/a');
    while (!client.tokens.list().some((t) => t.state === 'pending')) await settle();
    expect(await client.recover()).toEqual({ completed: 0, dropped: 0, inFlight: 1 });
    await m.clock.runUntilIdle();
    const r = await buying;
    expect([r.outcome, r.paidMsat]).toEqual(['success', 5_000]);
    expect(client.tokens.list().map((t) => [t.pathPrefix, t.state])).toEqual([['/v1', 'paid']]);
  });

  it('holds back a purchase of a sibling path: /v1/a and /v1/b under one /v1 prefix pay once, both end payment_timeout while its fate is unknown, recover() completes it and both paths reuse its token', async () => {
    const m = makeMarket({ latency: fixedLatency(100) });
    prefixSeller(m);
    // Every payment goes out, then the node connection drops before its answer.
    const losing = new Proxy(m.buyer, {
      get(target, prop, receiver) {
        if (prop === 'pay')
          return async (bolt11: string, opts: Parameters<LightningNode['pay']>[1]) => {
            target.pay(bolt11, opts).catch(() => {});
            await settle();
            throw new Error('ECONNRESET: lost the node connection mid-payment');
          };
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as LightningNode;
    const before = await m.balance(m.buyer);
    const lost = createL402Client({ node: losing, fetch: m.fetch, clock: m.clock });

    const [a, b] = await Promise.all([
      lost.purchase('http://scoped.test/v1/a'),
      lost.purchase('http://scoped.test/v1/b'),
    ]);
    expect([a.outcome, b.outcome]).toEqual(['payment_timeout', 'payment_timeout']);
    expect(b.reason).toMatch(/^an earlier payment [0-9a-f]{64} is still in flight$/);
    expect(lost.tokens.list().map((t) => [t.pathPrefix, t.state])).toEqual([['/v1', 'pending']]);
    await m.clock.runUntilIdle();
    await settle(20);

    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, tokens: lost.tokens });
    expect(await client.recover()).toEqual({ completed: 1, dropped: 0, inFlight: 0 });
    const reused = [
      await client.purchase('http://scoped.test/v1/a'),
      await client.purchase('http://scoped.test/v1/b'),
    ];
    expect(reused.map((r) => [r.outcome, r.tokenReused, r.paidMsat])).toEqual([
      ['success', true, 0],
      ['success', true, 0],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
  });
});
