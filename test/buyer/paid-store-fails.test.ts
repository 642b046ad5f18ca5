import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createL402Client, FileTokenStore, type PurchaseEvent } from '../../agents/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { drive, makeMarket } from './market.js';

/**
 * A token store that fails once the money has moved (the token file's directory replaced by a file
 * while the invoice is being paid, after the pending token was written): the purchase goes on with
 * the token the store holds in memory, never a throw, and the failure is logged. Real paywalls,
 * signed invoices on the simnet; a 5,000 msat payment costs 105 msat in fees.
 */
describe('a token store failing after the payment', () => {
  it('delivers the paid call (success, 5,000 + 105 msat, one pay ok), reuses the token for the next call, and logs the failed write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'l402-paid-store-'));
    const storeDir = join(dir, 'd');
    await mkdir(storeDir);
    const tokens = await FileTokenStore.open(join(storeDir, 'tokens.json'));
    try {
      const m = makeMarket();
      const seller = m.addSeller({ name: 'a', priceMsat: 5_000, maxCalls: 2 });
      const breakDisk = async () => {
        await rm(storeDir, { recursive: true });
        await writeFile(storeDir, 'x');
      };
      // The buyer's node, whose pay breaks the disk under the store once the payment is made.
      const node = new Proxy(m.buyer, {
        get(target, key) {
          if (key === 'pay')
            return async (...args: Parameters<LightningNode['pay']>) => {
              const paid = await target.pay(...args);
              await breakDisk();
              return paid;
            };
          const value = Reflect.get(target, key, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const logged: string[] = [];
      const logger = {
        error: (_o: unknown, msg: string) => void logged.push(msg),
        warn: () => {},
        info: () => {},
        debug: () => {},
      };
      const pays: PurchaseEvent[] = [];
      const client = createL402Client({
        node,
        fetch: m.fetch,
        clock: m.clock,
        tokens,
        logger: logger as never,
        onEvent: (e) => void (e.step === 'pay' && pays.push(e)),
      });

      const first = await drive(m.clock, client.purchase(seller.url));
      const second = await drive(m.clock, client.purchase(seller.url));

      expect([first.outcome, first.paidMsat, first.feeMsat]).toEqual(['success', 5_000, 105]);
      expect([second.outcome, second.paidMsat, second.tokenReused]).toEqual(['success', 0, true]);
      expect(seller.served).toBe(2);
      expect(pays.map((e) => e.step === 'pay' && [e.ok, e.amountMsat, e.feeMsat])).toEqual([
        [true, 5_000, 105],
      ]);
      expect(logged).toEqual([
        'l402: the token store could not write a paid token; kept in memory, written with its next change',
      ]);
    } finally {
      await tokens.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });
});
