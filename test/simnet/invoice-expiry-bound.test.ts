import { describe, expect, it } from 'vitest';
import { makeNet } from './helpers.js';

describe('createInvoice refuses an expirySec whose expiry is not an exact ms timestamp', () => {
  it('expirySec 2^53-1 throws LabError invalid_invoice_request giving the largest allowed, for ordinary and hold invoices', async () => {
    const { clock, net } = makeNet();
    const bob = net.addNode({ alias: 'bob' });
    const most = Math.floor(Number.MAX_SAFE_INTEGER / 1000) - Math.floor(clock.now() / 1000);
    const error = {
      name: 'LabError',
      code: 'invalid_invoice_request',
      message: `expirySec must be a positive integer of at most ${most} (the expiry must be an exact ms timestamp), got ${Number.MAX_SAFE_INTEGER}`,
    };
    await expect(
      bob.createInvoice({ amountMsat: 1_000, expirySec: Number.MAX_SAFE_INTEGER }),
    ).rejects.toMatchObject(error);
    await expect(
      bob.createHoldInvoice({
        amountMsat: 1_000,
        expirySec: Number.MAX_SAFE_INTEGER,
        paymentHash: '11'.repeat(32),
      }),
    ).rejects.toMatchObject(error);
    expect(net.invoicesHeld()).toBe(0);
  });

  it('the largest allowed expirySec gives an expiresAt that is a safe integer; one more is refused', async () => {
    const { clock, net } = makeNet();
    const bob = net.addNode({ alias: 'bob' });
    const nowSec = Math.floor(clock.now() / 1000);
    const most = Math.floor(Number.MAX_SAFE_INTEGER / 1000) - nowSec;
    const inv = await bob.createInvoice({ amountMsat: 1_000, expirySec: most });
    expect(inv.expiresAt).toBe((nowSec + most) * 1000);
    expect(Number.isSafeInteger(inv.expiresAt)).toBe(true);
    await expect(bob.createInvoice({ amountMsat: 1_000, expirySec: most + 1 })).rejects.toMatchObject({
      code: 'invalid_invoice_request',
    });
  });
});
