/**
 * A buyer against LSAT-era sellers (lsat-js, boltwall, Rust servers matching
 * `LSAT (.*?):([a-f0-9]{64})`) on a real socket: they offer only `LSAT …`
 * challenges and accept only `Authorization: LSAT …`. The buyer answers in the
 * scheme of the challenge it paid, and keeps that scheme with the token.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createL402Client, FileTokenStore, type TokenStore } from '../../agents/l402/index.js';
import { listen, type Listening } from '../../services/http/listen.js';
import { lsatSellerApp, type Scheme } from './lsat-seller.js';
import { makeMarket, type Market } from './market.js';

const PRICE_MSAT = 5_000;
/** The hub's fee on a 5,000 msat payment: 100 msat base + 1,000 ppm. */
const FEE_MSAT = 105;

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * An LSAT-era seller (`lsatSellerApp`) on a real socket that offers challenges in `offers` and
 * accepts `Authorization: <scheme> <mac>:<preimage>` in `accepts` only.
 */
async function oldSeller(m: Market, offers: Scheme[], accepts: Scheme[]) {
  const { app, seen } = lsatSellerApp(m, { offers, accepts, priceMsat: PRICE_MSAT });
  server = await listen(app.fetch);
  return { url: `${server.url}/v1/data`, seen };
}

function buyerOf(m: Market, tokens: TokenStore) {
  return createL402Client({ node: m.buyer, fetch: globalThis.fetch, clock: m.clock, tokens });
}

async function tokenFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'l402-lsat-')), 'tokens.json');
}

describe('a buyer against an LSAT-only seller on a real socket', () => {
  it('pays the LSAT challenge once, answers it with LSAT and reuses the token with LSAT', async () => {
    const m = makeMarket();
    const seller = await oldSeller(m, ['LSAT'], ['LSAT']);
    const tokens = await FileTokenStore.open(await tokenFile());
    const client = buyerOf(m, tokens);
    const before = await m.balance(m.buyer);
    const first = await client.purchase(seller.url, { method: 'GET' });
    const second = await client.purchase(seller.url, { method: 'GET' });
    expect([first.outcome, first.paidMsat, first.feeMsat, first.tokenReused]).toEqual([
      'success',
      PRICE_MSAT,
      FEE_MSAT,
      false,
    ]);
    expect([second.outcome, second.paidMsat, second.tokenReused]).toEqual(['success', 0, true]);
    expect(seller.seen).toEqual(['-', 'LSAT', 'LSAT']);
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(tokens.list().map((t) => [t.state, t.scheme, t.callsUsed])).toEqual([['paid', 'LSAT', 2]]);
    await tokens.close();
  });

  it('keeps the scheme in the token file: a reopened store answers with LSAT, paying nothing more', async () => {
    const m = makeMarket();
    const seller = await oldSeller(m, ['LSAT'], ['LSAT']);
    const path = await tokenFile();
    const first = await FileTokenStore.open(path);
    expect((await buyerOf(m, first).purchase(seller.url, { method: 'GET' })).outcome).toBe('success');
    await first.close();
    const stored = JSON.parse(await readFile(path, 'utf8')) as { tokens: { scheme?: string }[] };
    expect(stored.tokens.map((t) => t.scheme)).toEqual(['LSAT']);
    const before = await m.balance(m.buyer);
    const again = await FileTokenStore.open(path);
    const r = await buyerOf(m, again).purchase(seller.url, { method: 'GET' });
    expect([r.outcome, r.paidMsat, r.tokenReused]).toEqual(['success', 0, true]);
    expect(seller.seen).toEqual(['-', 'LSAT', 'LSAT']);
    expect(before - (await m.balance(m.buyer))).toBe(0);
    await again.close();
  });

  it('pays the L402 challenge of a seller offering LSAT then L402 and answers it with L402', async () => {
    const m = makeMarket();
    const seller = await oldSeller(m, ['LSAT', 'L402'], ['L402']);
    const tokens = await FileTokenStore.open(await tokenFile());
    const r = await buyerOf(m, tokens).purchase(seller.url, { method: 'GET' });
    expect([r.outcome, r.paidMsat]).toEqual(['success', PRICE_MSAT]);
    expect(seller.seen).toEqual(['-', 'L402']);
    expect(tokens.list().map((t) => t.scheme)).toEqual(['L402']);
    await tokens.close();
  });

  it('sends a token read from a file written without schemes as L402', async () => {
    const m = makeMarket();
    const seller = await oldSeller(m, ['L402'], ['L402']);
    const path = await tokenFile();
    const first = await FileTokenStore.open(path);
    expect((await buyerOf(m, first).purchase(seller.url, { method: 'GET' })).outcome).toBe('success');
    await first.close();
    // The file as a store that kept no scheme wrote it.
    const file = JSON.parse(await readFile(path, 'utf8')) as { tokens: Record<string, unknown>[] };
    for (const t of file.tokens) delete t.scheme;
    await writeFile(path, JSON.stringify(file), { mode: 0o600 });
    const again = await FileTokenStore.open(path);
    expect(again.list().map((t) => [t.state, t.scheme])).toEqual([['paid', undefined]]);
    const r = await buyerOf(m, again).purchase(seller.url, { method: 'GET' });
    expect([r.outcome, r.paidMsat, r.tokenReused]).toEqual(['success', 0, true]);
    expect(seller.seen).toEqual(['-', 'L402', 'L402']);
    await again.close();
  });

  it('refuses a token file whose entry names a scheme other than L402 or LSAT', async () => {
    const path = await tokenFile();
    const entry = { origin: 'http://a.test', pathPrefix: '/v1', macaroon: 'AgEEbHNhdA', scheme: 'Bearer' };
    await writeFile(path, JSON.stringify({ version: 1, tokens: [entry] }), { mode: 0o600 });
    await expect(FileTokenStore.open(path)).rejects.toMatchObject({
      code: 'corrupt_token_file',
      message: `token file ${path} holds an entry whose scheme is not L402 or LSAT`,
    });
  });
});
