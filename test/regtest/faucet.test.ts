import { expect, it } from 'vitest';
import { Faucet } from '../../infra/regtest/faucet.js';
import { LndAdmin } from '../../infra/regtest/lnd-admin.js';
import { describeRegtest, regtestAvailability, useRegtest } from './support/regtest.js';

const unavailable = await regtestAvailability();

describeRegtest(unavailable, 'the TypeScript faucet on the real chain', () => {
  const rt = useRegtest();

  it('the chain is past segwit activation, so the faucet’s P2WPKH coinbases are spendable', async () => {
    const chain = await rt.chain();
    expect(await chain.segwitActive()).toBe(true);
    expect(await chain.height()).toBeGreaterThan(432);
  });

  it('one transaction signed in TypeScript pays a node’s wallet exactly what was asked', async () => {
    const chain = await rt.chain();
    const node = await rt.node('seller-2');
    const admin = new LndAdmin(node.rest);
    const before = await admin.confirmedBalanceSat();
    const faucet = new Faucet(rt.net.bitcoin!.faucetSeed!);
    const txid = await faucet.fund(chain, [
      { address: await admin.newAddress(), valueSat: 123_456 },
      { address: await admin.newAddress(), valueSat: 7_890 },
    ]);
    expect(txid).toMatch(/^[0-9a-f]{64}$/);
    await chain.mine(1);
    await expect.poll(() => admin.confirmedBalanceSat(), { timeout: 10_000 }).toBe(before + 123_456 + 7_890);
  });

  it('refuses to fund more than its mature coinbases hold, saying how much it has', async () => {
    const chain = await rt.chain();
    const faucet = new Faucet('a seed that never mined anything');
    const address = await new LndAdmin((await rt.node('seller-2')).rest).newAddress();
    await expect(faucet.fund(chain, [{ address, valueSat: 1_000 }])).rejects.toMatchObject({
      code: 'insufficient_funds',
      message: expect.stringMatching(/faucet has 0 sat in mature coinbases at height \d+, needs \d+/),
    });
    // It reads every block's coinbase to find none of its own: hundreds of RPCs once other files have mined.
  }, 180_000);
});
