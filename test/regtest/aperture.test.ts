import { afterAll, beforeAll, expect, it } from 'vitest';
import { chooseChallenge, createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { Macaroon, paymentHashOfToken, parseChallenges } from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { LndNode } from '../../infra/lightning/lnd/index.js';
import { nodeByName } from '../../infra/regtest/network-file.js';
import { systemClock } from '../../infra/time/clock.js';
import {
  apertureAvailability,
  lndGrpcHost,
  startAperture,
  type RunningAperture,
} from './support/aperture.js';
import { startBackend, type Backend } from './support/backend.js';
import { ChannelLedger, changes, hubFee, quietBalances } from './support/ledger.js';
import { describeRegtest, regtestAvailability, useRegtest } from './support/regtest.js';

const lnUnavailable = await regtestAvailability();
const aperture = lnUnavailable === undefined ? await apertureAvailability() : undefined;
const unavailable =
  lnUnavailable ?? (aperture && 'unavailable' in aperture ? aperture.unavailable : undefined);

const PRICE_SAT = 10;
const PRICE_MSAT = PRICE_SAT * 1000;

describeRegtest(unavailable, 'our L402 client against Aperture v0.5.0 on real LND (regtest)', () => {
  const rt = useRegtest();
  let backend: Backend;
  let proxy: RunningAperture;
  let seller: LndNode;
  let buyer: LndNode;
  let url: string;
  const ledger = new ChannelLedger(['hub', 'seller-1', 'buyer-2']);
  let before: Record<string, number>;
  const events: PurchaseEvent[] = [];
  const client = () =>
    createL402Client({ node: buyer, fetch, clock: systemClock, onEvent: (e) => events.push(e) });
  let shared: ReturnType<typeof client>;

  beforeAll(async () => {
    if (!aperture || !('binary' in aperture)) throw new Error('unreachable: suite runs only with Aperture');
    seller = await rt.node('seller-1');
    buyer = await rt.node('buyer-2');
    backend = await startBackend();
    proxy = await startAperture({
      binary: aperture.binary,
      lnd: nodeByName(rt.net, 'seller-1'),
      lndGrpc: await lndGrpcHost(rt.stateDir, 'seller-1', rt.net),
      backend: backend.address,
      service: 'fortune',
      priceSat: PRICE_SAT,
    });
    url = `${proxy.url}/v1/fortune`;
    shared = client();
    before = await quietBalances({ hub: await rt.node('hub'), 'seller-1': seller, 'buyer-2': buyer });
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await backend?.close();
  });

  it('answers with one LSAT and one L402 challenge for the same token, and our parser takes the L402 one', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(402);
    await res.arrayBuffer();
    // Two WWW-Authenticate headers, which fetch joins with ", ".
    const header = res.headers.get('www-authenticate')!;
    const challenges = parseChallenges(header);
    expect(challenges.map((c) => c.scheme)).toEqual(['LSAT', 'L402']);
    expect(challenges[0]!.macaroon).toBe(challenges[1]!.macaroon);
    const chosen = chooseChallenge(header);
    expect(chosen.challenge?.scheme).toBe('L402');
    const { macaroon, invoice } = challenges[1]!;
    // Aperture mints with location "lsat" and caveats for its service and the token lifetime.
    expect(macaroon.startsWith('AgEEbHNhdAJC')).toBe(true);
    const caveats = Macaroon.fromBase64(macaroon).caveats;
    expect(caveats).toContain('services=fortune:0');
    expect(caveats.some((c) => c.startsWith('fortune_valid_until='))).toBe(true);
    const inv = decodeInvoice(invoice, { expectedNetwork: 'regtest' });
    expect(inv).toMatchObject({ amountMsat: PRICE_MSAT, payee: (await seller.info()).pubkey });
    expect(paymentHashOfToken(macaroon)).toBe(inv.paymentHash);
    expect(backend.hits.get('/v1/fortune') ?? 0).toBe(0);
  });

  it("refuses Aperture's invoice before paying when the payee is not the node the buyer was told about", async () => {
    const wrong = nodeByName(rt.net, 'seller-2').pubkey;
    const r = await client().purchase(url, {}, { expectedPayee: wrong });
    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'wrong_payee', paidMsat: 0 });
  });

  it('pays with LND, gets the backend’s 200 through Aperture, and reuses the token without paying again', async () => {
    const first = await shared.purchase(url);
    expect(first).toMatchObject({
      outcome: 'success',
      status: 200,
      paidMsat: PRICE_MSAT,
      feeMsat: hubFee(PRICE_MSAT),
      hops: 2,
      tokenReused: false,
    });
    ledger.book('buyer-2', 'seller-1', first.paidMsat, first.feeMsat);
    // Aperture forwards the credential to the backend in its own format.
    expect(await first.response!.json()).toMatchObject({ n: 1, scheme: 'LSAT' });
    expect((await seller.lookupInvoice(first.paymentHash!))?.state).toBe('settled');
    expect(await buyer.lookupPayment(first.paymentHash!)).toMatchObject({ status: 'succeeded' });

    const second = await shared.purchase(url);
    expect(second).toMatchObject({ outcome: 'success', status: 200, paidMsat: 0, tokenReused: true });
    expect(second.paymentHash).toBe(first.paymentHash);
    expect(await second.response!.json()).toMatchObject({ n: 2 });
    expect(events.filter((e) => e.step === 'pay')).toHaveLength(1);
  });

  it('a credential Aperture refuses ends as token_refused with nothing paid; the next purchase buys a fresh token once', async () => {
    const held = shared.tokens.list()[0]!;
    const tampered = `${held.preimage!.slice(0, 63)}${held.preimage!.endsWith('0') ? '1' : '0'}`;
    // Straight at Aperture: a wrong preimage is answered with a new challenge for a new payment hash.
    const raw = await fetch(url, { headers: { authorization: `L402 ${held.macaroon}:${tampered}` } });
    expect(raw.status).toBe(402);
    await raw.arrayBuffer();
    const fresh = chooseChallenge(raw.headers.get('www-authenticate'));
    expect(fresh.tokenPaymentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh.tokenPaymentHash).not.toBe(held.paymentHash);

    await shared.tokens.put({ ...held, preimage: tampered });
    const paysBefore = events.filter((e) => e.step === 'pay').length;
    const hitsBefore = backend.hits.get('/v1/fortune')!;
    // The refusal's challenge is not paid inside the purchase that held the token.
    const refused = await shared.purchase(url);
    expect(refused).toMatchObject({ outcome: 'token_refused', paidMsat: 0, tokenReused: true });
    expect(events.filter((e) => e.step === 'pay')).toHaveLength(paysBefore);
    // The refused token was evicted: the next purchase probes, pays once and is served.
    const from = events.length;
    const r = await shared.purchase(url);
    expect(r).toMatchObject({ outcome: 'success', status: 200, paidMsat: PRICE_MSAT, tokenReused: false });
    ledger.book('buyer-2', 'seller-1', r.paidMsat, r.feeMsat);
    expect(r.paymentHash).not.toBe(held.paymentHash);
    expect(backend.hits.get('/v1/fortune')).toBe(hitsBefore + 1);
    expect(events.slice(from).map((e) => [e.step, 'status' in e ? e.status : null])).toEqual([
      ['challenge', 402],
      ['check', null],
      ['authorize', null],
      ['pay', null],
      ['consume', 200],
    ]);
    expect(events.filter((e) => e.step === 'pay')).toHaveLength(paysBefore + 1);
  });

  it('moved exactly what the client recorded: buyer down by paid + fees, seller up by paid, hub up by fees', async () => {
    const after = await quietBalances({ hub: await rt.node('hub'), 'seller-1': seller, 'buyer-2': buyer });
    expect(changes(before, after)).toEqual(ledger.expected());
    expect(ledger.expected()['seller-1']).toBe(2 * PRICE_MSAT);
  });
});
