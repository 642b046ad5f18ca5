import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { MANIFEST_BODY_LIMIT } from '../../agents/buyer/offers.js';
import { createL402Client, DEFAULT_REQUEST_TIMEOUT_MS } from '../../agents/l402/index.js';
import { drive, makeMarket, type Market, type TestSeller } from './market.js';

const MANIFEST_URL = 'http://cheap.test/.well-known/l402.json';

/** What a hostile manifest body did: bytes handed out, whether the reader cancelled it. */
interface Tap {
  sent: number;
  cancelled: boolean;
}

/** A manifest quoting `priceMsat` for /v1/data on `s`'s node, padded with spaces to exactly `bytes` bytes. */
function manifestOf(s: TestSeller, priceMsat: number, bytes: number): string {
  const doc = JSON.stringify({
    provider: { name: s.spec.name, uri: s.url, node_pubkey: s.node.pubkey },
    services: [{ name: s.spec.name, path: '/v1/data', tiers: [{ tier: 0, price_msat: priceMsat }] }],
  });
  return doc.padEnd(bytes, ' ');
}

/**
 * Two sellers of one capability: `cheap` (4,000 msat) serves `manifest`; `dear` (9,000 msat) serves none.
 * The buyer's client has the default request timeout unless `requestTimeoutMs` is given.
 */
async function market(manifest: () => string | ReadableStream<Uint8Array>, requestTimeoutMs?: number) {
  const m = makeMarket();
  const dear = m.addSeller({ name: 'dear', priceMsat: 9_000 });
  const cheap = m.addSeller({ name: 'cheap', priceMsat: 4_000 });
  const front = new Hono();
  front.get('/.well-known/l402.json', () => new Response(manifest(), { status: 200 }));
  front.all('*', (c) => cheap.app.fetch(c.req.raw));
  m.mount(cheap.host, front);
  const registry = await m.registry();
  const agent = createBuyerAgent({
    name: 'buyer',
    registry,
    client: createL402Client({
      node: m.buyer,
      fetch: m.fetch,
      clock: m.clock,
      ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    }),
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    quoteFrom: 'manifest',
  });
  const task = () =>
    agent.runTask({ id: 't', capability: registry.all()[0]!.capabilities[0]!, valueMsat: 50_000, calls: 1 });
  return { m, dear, cheap, task };
}

const challenges = (s: TestSeller) => s.events.filter((e) => e.type === 'challenge').length;

/** The purchases of a run as [seller, outcome, paidMsat, reason]. */
const rows = (r: { purchases: { seller: string; outcome: string; paidMsat: number; reason?: string }[] }) =>
  r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat, p.reason ?? null]);

async function spent(m: Market, before: number): Promise<number> {
  return before - (await m.balance(m.buyer));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a seller manifest is read within a size and a time limit', () => {
  it('the limits are 64 KiB and, by default, the client request timeout (30 s)', () => {
    expect(MANIFEST_BODY_LIMIT).toBe(65_536);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(30_000);
  });

  it('a manifest of exactly 65,536 bytes is read: its 4,000 msat quote is bought', async () => {
    const { m, cheap, task } = await market(() => manifestOf(cheap, 4_000, MANIFEST_BODY_LIMIT));
    const before = await m.balance(m.buyer);

    const r = await drive(m.clock, task());

    expect(rows(r)).toEqual([['cheap', 'success', 4_000, null]]);
    expect(await spent(m, before)).toBe(4_000 + r.feesMsat);
  });

  it('a manifest of 65,537 bytes excludes its seller as no_quote naming the limit, 0 msat paid to it, never asked for an invoice', async () => {
    const { m, dear, cheap, task } = await market(() => manifestOf(cheap, 4_000, MANIFEST_BODY_LIMIT + 1));
    const before = await m.balance(m.buyer);

    const r = await drive(m.clock, task());

    expect(rows(r)).toEqual([
      ['cheap', 'no_quote', 0, `manifest ${MANIFEST_URL} is over 65536 bytes`],
      ['dear', 'success', 9_000, null],
    ]);
    expect(await spent(m, before)).toBe(9_000 + r.feesMsat);
    expect([challenges(cheap), challenges(dear)]).toEqual([0, 1]);
  });

  it('a 16 MiB manifest is cancelled once over 64 KiB (96 KiB pulled) and its seller excluded as no_quote', async () => {
    const tap: Tap = { sent: 0, cancelled: false };
    const chunk = new Uint8Array(16 * 1024).fill(0x20);
    const { m, cheap, task } = await market(
      () =>
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (tap.sent === 16 * 1024 * 1024) return controller.close();
            tap.sent += chunk.byteLength;
            controller.enqueue(chunk);
          },
          cancel() {
            tap.cancelled = true;
          },
        }),
    );

    const r = await drive(m.clock, task());

    expect(rows(r)).toEqual([
      ['cheap', 'no_quote', 0, `manifest ${MANIFEST_URL} is over 65536 bytes`],
      ['dear', 'success', 9_000, null],
    ]);
    expect(tap.cancelled).toBe(true);
    // The fifth 16 KiB chunk takes the read over 64 KiB; the stream had pulled one chunk ahead.
    expect(tap.sent).toBe(6 * chunk.byteLength);
    expect(challenges(cheap)).toBe(0);
  });

  it.each([
    [undefined, 30_000],
    [5_000, 5_000],
  ])(
    'a manifest that sends one byte and stalls, with the client timeout %s, is given up exactly %i ms of market time after its answer, and its seller excluded as no_quote',
    async (requestTimeoutMs, waitMs) => {
      const tap: Tap = { sent: 0, cancelled: false };
      const ref: { clock?: Market['clock'] } = {};
      let sentAtMs = -1;
      let cancelledAtMs = -1;
      const { m, cheap, task } = await market(
        () =>
          new ReadableStream<Uint8Array>({
            start(controller) {
              tap.sent += 1;
              sentAtMs = ref.clock!.now();
              controller.enqueue(new Uint8Array([0x7b]));
            },
            cancel() {
              tap.cancelled = true;
              cancelledAtMs = ref.clock!.now();
            },
          }),
        requestTimeoutMs,
      );
      ref.clock = m.clock;
      const r = await drive(m.clock, task());

      expect(rows(r)).toEqual([
        ['cheap', 'no_quote', 0, `manifest ${MANIFEST_URL} was not read within ${waitMs} ms`],
        ['dear', 'success', 9_000, null],
      ]);
      expect(tap).toEqual({ sent: 1, cancelled: true });
      expect(cancelledAtMs - sentAtMs).toBe(waitMs);
      expect(challenges(cheap)).toBe(0);
    },
  );
});
