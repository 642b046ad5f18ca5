/**
 * Bring-up steps that must happen once however often they are retried. A
 * retry follows any error, a timeout included, and a timed-out request may
 * still have been carried out by LND: an OpenChannelSync that took longer
 * than the call's limit still opens its channel, and a probe payment that
 * ended `in_flight` may still settle. So a retry first looks for what the
 * attempt before it may have done, and pays the same invoice, never a new one.
 */
import type { Clock } from '../time/clock.js';
import type { Payment } from '../lightning/node.js';
import type { LndAdmin, OpenChannelOptions } from './lnd-admin.js';
import { retry } from './wait.js';

/** How a step is retried: its clock, its name in errors, how often, and the bring-up's abort signal. */
export interface StepContext {
  clock: Clock;
  what: string;
  tries?: number;
  signal?: AbortSignal;
}

/** What `openChannelOnce` needs of the opener's LND. */
export type ChannelOpener = Pick<LndAdmin, 'openChannel' | 'channelsWith'>;

/**
 * Opens one channel to `pubkey` (tried up to `tries` times): a retry adopts a
 * channel of the same capacity with that peer, open or pending, that was not
 * there before the first attempt, instead of opening a second one.
 */
export async function openChannelOnce(
  admin: ChannelOpener,
  pubkey: string,
  o: OpenChannelOptions,
  ctx: StepContext,
): Promise<string> {
  const before = new Set((await admin.channelsWith(pubkey)).map((c) => c.channelPoint));
  let attempted = false;
  return retry(
    ctx.clock,
    ctx.tries ?? 10,
    ctx.what,
    async () => {
      if (attempted) {
        const made = (await admin.channelsWith(pubkey)).find(
          (c) => !before.has(c.channelPoint) && c.capacitySat === o.capacitySat,
        );
        if (made) return made.channelPoint;
      }
      attempted = true;
      return admin.openChannel(pubkey, o);
    },
    ctx.signal,
  );
}

/** What `payOnce` needs of the payer's node. */
export interface ProbePayer {
  pay(bolt11: string): Promise<Payment>;
  lookupPayment(paymentHashHex: string): Promise<Payment | undefined>;
  waitForPayment(paymentHashHex: string): Promise<Payment | undefined>;
}

/**
 * Pays one invoice (tried up to `tries` times) and returns the succeeded
 * payment: a retry first looks the payment up, waits for one still in
 * flight, and pays again only one that failed (LND allows that for a failed
 * hash), so the payee is paid once.
 */
export async function payOnce(
  payer: ProbePayer,
  invoice: { paymentRequest: string; paymentHash: string },
  ctx: StepContext,
): Promise<Payment> {
  let attempted = false;
  return retry(
    ctx.clock,
    ctx.tries ?? 20,
    ctx.what,
    async () => {
      let payment = attempted ? await payer.lookupPayment(invoice.paymentHash) : undefined;
      if (payment?.status === 'in_flight')
        payment = (await payer.waitForPayment(invoice.paymentHash)) ?? payment;
      attempted = true;
      if (payment?.status !== 'succeeded' && payment?.status !== 'in_flight')
        payment = await payer.pay(invoice.paymentRequest);
      if (payment.status !== 'succeeded') throw new Error(payment.failure?.message ?? payment.status);
      return payment;
    },
    ctx.signal,
  );
}
