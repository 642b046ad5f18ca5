import type { Msat } from '../../money.js';
import type { PaymentFailureReason, PayOptions } from '../node.js';
import { amountToPay } from '../pay-options.js';
import { LndError } from './errors.js';
import { mapDecodeRefusal } from './failures.js';
import type { LndRestClient } from './rest-client.js';
import { lndPayReqSchema, parseWire, type LndPayReq } from './wire.js';

export type Decoded = { payreq: LndPayReq } | { failed: PaymentFailureReason; message: string };

/**
 * LND's reading of `bolt11` (DecodePayReq), or its verdict that the invoice is
 * bad. Only that verdict is an outcome: an error that says nothing about the
 * invoice (a timeout, a proxy's 502 page, a busy node) throws, so a transient
 * fault is never taken for a bad invoice. `bolt11` is read as given: the
 * caller trims it once, and sends LND the same text it had decoded.
 */
export async function decode(client: LndRestClient, bolt11: string): Promise<Decoded> {
  if (typeof bolt11 !== 'string' || !/^ln[a-z0-9]+$/i.test(bolt11)) {
    return { failed: 'invalid_invoice', message: 'not a BOLT11 invoice string' };
  }
  try {
    const raw = await client.call('GET', `/v1/payreq/${encodeURIComponent(bolt11)}`);
    return { payreq: parseWire(lndPayReqSchema, raw, 'decode invoice') };
  } catch (err) {
    const verdict = lndVerdict(err);
    if (verdict === undefined) throw err;
    return { failed: verdict, message: `LND could not decode the invoice: ${(err as LndError).lndMessage}` };
  }
}

/** The failure reason when `err` is LND refusing the invoice itself. */
function lndVerdict(err: unknown): PaymentFailureReason | undefined {
  if (!(err instanceof LndError) || (err.code !== 'bad_request' && err.code !== 'lnd_error'))
    return undefined;
  return err.lndMessage ? mapDecodeRefusal(err.lndMessage) : undefined;
}

/**
 * The amount to send, or a message saying why the caller's amount does not
 * fit the invoice (`amountToPay`, the simnet's rule too; `num_msat` 0 is a
 * zero-amount invoice). The options were checked (`checkPayOptionsShape`).
 */
export function resolveAmount(payreq: LndPayReq, opts: PayOptions): Msat | string {
  return amountToPay(payreq.num_msat === 0 ? undefined : payreq.num_msat, opts);
}
