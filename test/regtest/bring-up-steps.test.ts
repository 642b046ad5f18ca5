/**
 * Bring-up steps retried after a timeout that LND carried out anyway. Real
 * LND cannot be made to time out after acting on demand, so the opener and
 * the payer here are scripted: each records what it was asked to do.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../infra/time/clock.js';
import type { Payment } from '../../infra/lightning/node.js';
import { LndError } from '../../infra/lightning/lnd/index.js';
import {
  openChannelOnce,
  payOnce,
  type ChannelOpener,
  type ProbePayer,
} from '../../infra/regtest/bring-up-steps.js';

/** Retries wait no wall time. */
const clock: Clock = { now: () => 0, sleep: async () => {}, setTimer: () => () => {} };
const PEER = '02'.padEnd(66, 'a');
const timeout = () => new LndError('timeout', 'POST /v1/channels: no answer within 30000 ms');

/** An opener whose first open goes through but answers with a timeout; `opens` counts the channels it made. */
function slowOpener(existing: { channelPoint: string; capacitySat: number }[] = []) {
  const channels = [...existing];
  const opener: ChannelOpener & { opens: number } = {
    opens: 0,
    channelsWith: async () => [...channels],
    openChannel: async (_pubkey, o) => {
      const point = `${'f'.repeat(63)}${++opener.opens}:0`;
      channels.push({ channelPoint: point, capacitySat: o.capacitySat });
      if (opener.opens === 1) throw timeout();
      return point;
    },
  };
  return opener;
}

describe('a channel open retried after a timeout', () => {
  it('adopts the channel the timed-out attempt opened instead of opening a second', async () => {
    const opener = slowOpener([{ channelPoint: `${'e'.repeat(64)}:1`, capacitySat: 2_000_000 }]);
    const point = await openChannelOnce(
      opener,
      PEER,
      { capacitySat: 2_000_000 },
      { clock, what: 'open hub→seller-1' },
    );
    expect([point, opener.opens]).toEqual([`${'f'.repeat(63)}1:0`, 1]);
  });

  it('opens again when the failed attempt left no channel', async () => {
    let calls = 0;
    const opener: ChannelOpener = {
      channelsWith: async () => [],
      openChannel: async () => {
        if (++calls === 1) throw new LndError('not_ready', 'server is still in the process of starting');
        return `${'d'.repeat(64)}:0`;
      },
    };
    expect(await openChannelOnce(opener, PEER, { capacitySat: 1_000 }, { clock, what: 'open' })).toBe(
      `${'d'.repeat(64)}:0`,
    );
    expect(calls).toBe(2);
  });
});

/** A payment of `status` for the probe invoice. */
const payment = (status: Payment['status']): Payment => ({
  ...{
    paymentHash: 'ab'.repeat(32),
    status,
    amountMsat: 1_000_000,
    feeMsat: status === 'succeeded' ? 1_001 : 0,
  },
  ...{ hops: status === 'succeeded' ? 2 : 0, attempts: 1, createdAt: 0 },
});
const invoice = { paymentRequest: 'lnbcrt10u1probe', paymentHash: 'ab'.repeat(32) };

describe('a probe payment retried', () => {
  it('that ended in flight and then settled is waited for, never paid twice', async () => {
    const asked: string[] = [];
    const payer: ProbePayer = {
      pay: async (bolt11) => (asked.push(`pay ${bolt11}`), payment('in_flight')),
      lookupPayment: async () => (asked.push('lookup'), payment('in_flight')),
      waitForPayment: async () => (asked.push('wait'), payment('succeeded')),
    };
    const paid = await payOnce(payer, invoice, { clock, what: 'probe buyer-1→seller-1' });
    expect([paid.status, asked]).toEqual(['succeeded', ['pay lnbcrt10u1probe', 'lookup', 'wait']]);
  });

  it('that failed (no route yet) pays the same invoice again', async () => {
    const asked: string[] = [];
    let pays = 0;
    const payer: ProbePayer = {
      pay: async (bolt11) => (asked.push(`pay ${bolt11}`), payment(++pays === 1 ? 'failed' : 'succeeded')),
      lookupPayment: async () => (asked.push('lookup'), payment('failed')),
      waitForPayment: async () => undefined,
    };
    const paid = await payOnce(payer, invoice, { clock, what: 'probe' });
    expect([paid.status, asked]).toEqual([
      'succeeded',
      ['pay lnbcrt10u1probe', 'lookup', 'pay lnbcrt10u1probe'],
    ]);
  });
});
