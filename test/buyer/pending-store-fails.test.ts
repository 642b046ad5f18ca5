import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createL402Client, FileTokenStore, type PurchaseEvent } from '../../agents/l402/index.js';
import { createPolicy, type PaymentPolicy } from '../../agents/policies/index.js';
import { drive, makeMarket, type Market } from './market.js';

/**
 * A token store that cannot keep the pending token written before paying (the
 * token file's directory replaced by a file) ends the purchase before any
 * money moves: `payment_failed`, the budget hold released, never a throw.
 * Real paywalls, signed invoices on the simnet; every 5,000 msat payment costs
 * 105 msat in fees, and every purchase holds 6,000 msat (price + fee ceiling).
 */

const LIMIT_MSAT = 12_000;

/** What the budget holds now, read from its refusal of an offer over its limit (a refusal holds nothing). */
async function held(m: Market, policy: PaymentPolicy) {
  const offer = {
    amountMsat: LIMIT_MSAT + 1,
    maxFeeMsat: 0,
    url: 'http://probe.test/',
    host: 'probe.test',
    payee: '02',
  };
  const d = await policy.authorize(offer, { nowMs: m.clock.now() });
  const [, spent, reserved] = /\(spent (\d+), reserved (\d+)\)/.exec(d.kind === 'deny' ? d.reason : '') ?? [];
  return { spentMsat: Number(spent), reservedMsat: Number(reserved) };
}

describe('a pending token the token store cannot keep', () => {
  it.each([false, true])(
    'ends the purchase unpaid (pay-on-success %s): payment_failed naming the store, 0 msat leave the node, the seller serves nothing, the 12,000 msat budget holds spent 0, reserved 0, and two 5,000 msat purchases fit it once the store works again',
    async (payOnSuccess) => {
      const dir = await mkdtemp(join(tmpdir(), 'l402-pending-store-'));
      const storeDir = join(dir, 'd');
      await mkdir(storeDir);
      const tokens = await FileTokenStore.open(join(storeDir, 'tokens.json'));
      try {
        const m = makeMarket();
        const [a, b, c] = ['a', 'b', 'c'].map((name) =>
          m.addSeller({ name, priceMsat: 5_000, payOnSuccess }),
        );
        const policy = createPolicy(
          { name: 'budget_window', params: { limitMsat: LIMIT_MSAT, window: 'day' } },
          { clock: m.clock },
        );
        const pays: PurchaseEvent[] = [];
        const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && pays.push(e));
        const client = createL402Client({
          node: m.buyer,
          fetch: m.fetch,
          clock: m.clock,
          policy,
          tokens,
          onEvent,
        });
        const before = await m.balance(m.buyer);
        // The disk goes away under the store: its directory is now a file, every write fails.
        await rm(storeDir, { recursive: true });
        await writeFile(storeDir, 'x');

        const failed = await drive(m.clock, client.purchase(a!.url, {}, { payOnSuccess }));

        const reason =
          `payment never started: the token store could not keep the pending token of payment ${failed.paymentHash} ` +
          `(token file directory ${storeDir} is not a directory you can use (a file is there); give a directory ` +
          'of your own); nothing was paid: make the token store ' +
          'writable (a token file: its directory) and buy again';
        expect([failed.outcome, failed.paidMsat, failed.feeMsat, failed.reason]).toEqual([
          'payment_failed',
          0,
          0,
          reason,
        ]);
        expect(before - (await m.balance(m.buyer))).toBe(0);
        expect(a!.served).toBe(0);
        expect(tokens.list()).toEqual([]);
        expect(await held(m, policy)).toEqual({ spentMsat: 0, reservedMsat: 0 });
        expect(pays.map((e) => e.step === 'pay' && [e.ok, e.amountMsat, e.failure])).toEqual([
          [false, 5_000, reason],
        ]);

        await rm(storeDir);
        await mkdir(storeDir);
        const later = [
          await drive(m.clock, client.purchase(b!.url, {}, { payOnSuccess })),
          await drive(m.clock, client.purchase(c!.url, {}, { payOnSuccess })),
        ];
        expect(later.map((r) => [r.outcome, r.paidMsat, r.feeMsat])).toEqual([
          ['success', 5_000, 105],
          ['success', 5_000, 105],
        ]);
        expect(await held(m, policy)).toEqual({ spentMsat: 10_210, reservedMsat: 0 });
      } finally {
        await tokens.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
