import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createL402Client, FileTokenStore, type PurchaseResult } from '../../agents/l402/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { saveNetwork } from '../../infra/regtest/network-file.js';
import { systemClock } from '../../infra/time/clock.js';
import { listen, type Listening } from '../../services/http/listen.js';
import { l402Paywall, type PaywallEvent } from '../../services/paywall/index.js';
import { quietBalances } from '../regtest/support/ledger.js';
import { describeRegtest, regtestAvailability, useRegtest } from '../regtest/support/regtest.js';

const unavailable = await regtestAvailability();

describeRegtest(unavailable, 'the L402 client on real LND (regtest), over real sockets', () => {
  const rt = useRegtest();
  let seller: LightningNode;
  let imposter: LightningNode;
  let buyer: LightningNode;
  let server: Listening;
  const events: PaywallEvent[] = [];

  beforeAll(async () => {
    seller = await rt.node('seller-1');
    imposter = await rt.node('seller-2');
    buyer = await rt.node('buyer-1');
    const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => randomBytes(n) });
    const base = { minter, clock: systemClock, onEvent: (e: PaywallEvent) => events.push(e) };
    const app = new Hono();
    app.get(
      '/v1/bundle',
      l402Paywall({ ...base, node: seller, service: 'bundle', price: 2_000, maxCalls: 3 }),
      (c) => c.json({ data: 'bundle' }),
    );
    app.get(
      '/v1/single',
      l402Paywall({ ...base, node: seller, service: 'single', price: 1_000, maxCalls: 1 }),
      (c) => c.json({ data: 'single' }),
    );
    // Invoices from seller-2 while the buyer expects seller-1.
    app.get(
      '/v1/imposter',
      l402Paywall({ ...base, node: imposter, service: 'imposter', price: 1_000 }),
      (c) => c.json({ data: 'imposter' }),
    );
    server = await listen(app.fetch);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('pays once, reuses the token for the bundle, and the balance drops by price plus fee', async () => {
    const client = createL402Client({ node: buyer, fetch: globalThis.fetch, clock: systemClock });
    const before = (await quietBalances({ buyer })).buyer;
    const sellerPubkey = (await seller.info()).pubkey;
    const results: PurchaseResult[] = [];
    for (let i = 0; i < 3; i++)
      results.push(
        await client.purchase(
          `${server.url}/v1/bundle`,
          {},
          { expectedPayee: sellerPubkey, quotedPriceMsat: 2_000 },
        ),
      );
    expect(results.map((r) => [r.outcome, r.tokenReused, r.paidMsat])).toEqual([
      ['success', false, 2_000],
      ['success', true, 0],
      ['success', true, 0],
    ]);
    expect(results[0]!.hops).toBeGreaterThanOrEqual(1);
    expect(before - (await quietBalances({ buyer })).buyer).toBe(2_000 + results[0]!.feeMsat);
  });

  it('refuses an invoice from another node than the advertised one, paying nothing', async () => {
    const client = createL402Client({ node: buyer, fetch: globalThis.fetch, clock: systemClock });
    const before = (await quietBalances({ buyer })).buyer;
    const r = await client.purchase(
      `${server.url}/v1/imposter`,
      {},
      { expectedPayee: (await seller.info()).pubkey },
    );
    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'wrong_payee', paidMsat: 0 });
    expect((await quietBalances({ buyer })).buyer).toBe(before);
  });

  it('a client that dies mid-payment is completed from LND by payment hash, never paying twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'l402-lnd-crash-'));
    let sent: Promise<unknown> | undefined;
    const dying: LightningNode = Object.assign(Object.create(null), {
      info: () => buyer.info(),
      lookupPayment: (h: string) => buyer.lookupPayment(h),
      pay: (bolt11: string, opts: object) => {
        sent = buyer.pay(bolt11, opts);
        return new Promise(() => {});
      },
    });
    const before = (await quietBalances({ buyer })).buyer;
    const firstTokens = await FileTokenStore.open(join(dir, 't.json'));
    const first = createL402Client({
      node: dying,
      fetch: globalThis.fetch,
      clock: systemClock,
      tokens: firstTokens,
    });
    void first.purchase(`${server.url}/v1/single`);
    for (let i = 0; i < 400 && !sent; i++) await new Promise((r) => setTimeout(r, 25));
    await sent;
    // The first client is gone, and its hold on the token file with it.
    await firstTokens.close();
    const second = createL402Client({
      node: buyer,
      fetch: globalThis.fetch,
      clock: systemClock,
      tokens: await FileTokenStore.open(join(dir, 't.json')),
    });
    const r = await second.purchase(`${server.url}/v1/single`);
    expect(r).toMatchObject({ outcome: 'success', tokenReused: true, paidMsat: 0 });
    // Exactly one payment left the node: the one LND recorded for this token's hash.
    const payment = await buyer.lookupPayment(r.paymentHash!);
    expect(payment).toMatchObject({ status: 'succeeded', amountMsat: 1_000 });
    expect(before - (await quietBalances({ buyer })).buyer).toBe(1_000 + payment!.feeMsat);
  });

  it('the agents CLI fetches a paid resource through LND like lnget', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'l402-cli-'));
    const networkFile = join(dir, 'network.json');
    await saveNetwork(networkFile, rt.net);
    const run = (args: string[]) =>
      new Promise<{ code: number; out: string; err: string }>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'agents/cli.ts', ...args], {
          cwd: process.cwd(),
        });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
      });
    const args = [
      'fetch',
      `${server.url}/v1/bundle`,
      '--network',
      networkFile,
      '--node',
      'buyer-2',
      '--tokens',
      join(dir, 'tokens.json'),
      '--json',
    ];
    const first = await run(args);
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out)).toEqual({ data: 'bundle' });
    expect(JSON.parse(first.err.trim().split('\n').at(-1)!)).toMatchObject({
      outcome: 'success',
      paidMsat: 2_000,
    });
    const second = await run(args);
    expect(JSON.parse(second.err.trim().split('\n').at(-1)!)).toMatchObject({
      outcome: 'success',
      tokenReused: true,
    });
    const tooDear = await run([
      ...args.slice(0, 2),
      '--network',
      networkFile,
      '--node',
      'buyer-2',
      '--tokens',
      join(dir, 'other.json'),
      '--max-price-msat',
      '1000',
      '--json',
    ]);
    expect(tooDear.code).toBe(1);
    expect(JSON.parse(tooDear.err.trim().split('\n').at(-1)!)).toMatchObject({
      outcome: 'invoice_rejected',
      rejection: 'over_quoted_price',
    });
  });
});
