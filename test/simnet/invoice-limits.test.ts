import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import { makeNet } from './helpers.js';

const HOLD_HASH = '11'.repeat(32);
const YEAR = 31_536_000;
const DAYS_400 = 400 * 86_400;

const expiryError = (got: number) => ({
  name: 'LabError',
  code: 'invalid_invoice_request',
  message: `expirySec must be a whole number of seconds from 1 to 31536000 (one year, LND's most), got ${got}`,
});
const memoError = (bytes: number) => ({
  name: 'LabError',
  code: 'invalid_invoice_request',
  message: `memo must be at most 639 bytes of UTF-8 (all a BOLT11 invoice's description holds), got ${bytes} bytes`,
});

function bob() {
  const { clock, net } = makeNet();
  return { clock, net, bob: net.addNode({ alias: 'bob' }) };
}

describe('the embedded network keeps LND’s invoice limits: expiry at most a year, memo at most 639 bytes', () => {
  it.each([DAYS_400, YEAR + 1, Number.MAX_SAFE_INTEGER])(
    'expirySec %i is refused (invalid_invoice_request naming the limit and the value), ordinary and hold, nothing made',
    async (expirySec) => {
      const { net, bob: node } = bob();
      await expect(node.createInvoice({ amountMsat: 1_000, expirySec })).rejects.toMatchObject(
        expiryError(expirySec),
      );
      await expect(
        node.createHoldInvoice({ amountMsat: 1_000, expirySec, paymentHash: HOLD_HASH }),
      ).rejects.toMatchObject(expiryError(expirySec));
      expect(net.invoicesHeld()).toBe(0);
    },
  );

  it('expirySec of exactly one year (31,536,000) makes an open invoice expiring a year after its creation', async () => {
    const { clock, bob: node } = bob();
    const nowSec = Math.floor(clock.now() / 1000);
    const inv = await node.createInvoice({ amountMsat: 1_000, expirySec: YEAR });
    expect(inv.state).toBe('open');
    expect(inv.expiresAt).toBe((nowSec + YEAR) * 1000);
    expect(decodeInvoice(inv.paymentRequest).expirySec).toBe(YEAR);
  });

  it.each<[string, string, number]>([
    ['700 ASCII characters', 'm'.repeat(700), 700],
    ['2,000 ASCII characters', 'm'.repeat(2000), 2000],
    ['640 ASCII characters', 'm'.repeat(640), 640],
    ['320 two-byte characters (é)', 'é'.repeat(320), 640],
  ])('a memo of %s is refused naming its size in bytes, ordinary and hold', async (_, memo, bytes) => {
    const { net, bob: node } = bob();
    await expect(node.createInvoice({ amountMsat: 1_000, memo })).rejects.toMatchObject(memoError(bytes));
    await expect(
      node.createHoldInvoice({ amountMsat: 1_000, memo, paymentHash: HOLD_HASH }),
    ).rejects.toMatchObject(memoError(bytes));
    expect(net.invoicesHeld()).toBe(0);
  });

  it('a memo of exactly 639 bytes (213 three-byte €) is written whole into the invoice', async () => {
    const { bob: node } = bob();
    const memo = '€'.repeat(213);
    const inv = await node.createInvoice({ amountMsat: 1_000, memo });
    expect(inv.memo).toBe(memo);
    expect(decodeInvoice(inv.paymentRequest).description).toBe(memo);
  });

  it('a memo that is not a string (the number 5) is refused as such', async () => {
    const { bob: node } = bob();
    await expect(
      node.createInvoice({ amountMsat: 1_000, memo: 5 as unknown as string }),
    ).rejects.toMatchObject({
      code: 'invalid_invoice_request',
      message: 'memo must be a string, got a number',
    });
  });
});
