import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseChallenge, createL402Client, prepareRequest } from '../../agents/l402/index.js';
import {
  caveats,
  createMinter,
  formatChallenge,
  Macaroon,
  MemoryRootKeyStore,
} from '../../infra/l402/index.js';
import { makeMarket } from './market.js';

/**
 * A quoted token is decoded once: the 402 answer carries its payment hash and its limits
 * together, and the offer uses both as they were read.
 */

afterEach(() => vi.restoreAllMocks());

describe('a quoted token is decoded once', () => {
  it("probing a 3-call seller and making its offer decodes the 402's macaroon once, and the offer's limits are the answer's", async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 5_000, maxCalls: 3 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const req = await prepareRequest(s.url);
    const decoded = vi.spyOn(Macaroon, 'fromBase64');

    const probe = await client.engine.probe(req);
    if (!probe.ok || !('answer' in probe)) throw new Error('expected a 402');
    const made = await client.engine.offer(req, probe.answer, {}, m.clock.now());
    if (!made.ok) throw new Error(made.reason);

    expect(decoded).toHaveBeenCalledTimes(1);
    expect(made.offer.limits).toBe(probe.answer.tokenLimits);
    expect(made.offer.limits).toMatchObject({ service: 'alpha', maxCalls: 3 });
    expect(made.offer.paymentHash).toBe(probe.answer.tokenPaymentHash);
  });

  it('a challenge whose caveats the verifier would refuse (a widening valid_until) still names its payment hash, with no limits', async () => {
    const preimage = '33'.repeat(32);
    const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
    const minter = createMinter({
      rootKeys: new MemoryRootKeyStore(),
      randomBytes: (n) => new Uint8Array(n).fill(4),
    });
    const { token } = await minter.mint({
      paymentHash,
      caveats: [caveats.services([{ name: 'alpha', tier: 0 }]), caveats.validUntil('alpha', 2_000_000_000)],
    });
    // Appended without attenuate's check: a later valid_until than the first widens it.
    const widened = Macaroon.fromBase64(token)
      .addFirstPartyCaveat(caveats.validUntil('alpha', 2_100_000_000))
      .toBase64();
    const invoice = 'lnbcrt50n1' + 'q'.repeat(60);
    const chosen = chooseChallenge(formatChallenge({ macaroon: widened, invoice }));
    expect(chosen).toEqual({
      challenge: { scheme: 'L402', macaroon: widened, invoice },
      tokenPaymentHash: paymentHash,
      tokenLimits: { services: [] },
    });
  });
});
