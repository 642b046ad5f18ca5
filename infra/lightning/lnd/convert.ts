import type {
  Balances,
  Invoice,
  InvoiceState,
  Payment,
  PaymentFailureReason,
  PaymentStatus,
} from '../node.js';
import { mapFailureReason, refineNoRoute } from './failures.js';
import {
  b64ToHex,
  lndChannelBalanceSchema,
  lndChannelListSchema,
  lndWalletBalanceSchema,
  parseWire,
  type LndInvoice,
  type LndPayment,
} from './wire.js';

const INVOICE_STATES: Record<LndInvoice['state'], InvoiceState> = {
  OPEN: 'open',
  ACCEPTED: 'accepted',
  SETTLED: 'settled',
  CANCELED: 'canceled',
};

/**
 * An LND invoice as the shared `Invoice`. LND has no "hold" flag: a hold
 * invoice is one without a preimage until it settles, so `knownHold` (hashes
 * this process created as hold invoices) covers the settled ones.
 */
export function toInvoice(inv: LndInvoice, knownHold: boolean): Invoice {
  const state = INVOICE_STATES[inv.state];
  const preimage = inv.r_preimage ? b64ToHex(inv.r_preimage) : undefined;
  const isHold = knownHold || (preimage === undefined && state !== 'settled');
  const out: Invoice = {
    paymentRequest: inv.payment_request,
    paymentHash: b64ToHex(inv.r_hash),
    amountMsat: inv.value_msat,
    memo: inv.memo,
    state,
    createdAt: inv.creation_date * 1000,
    expiresAt: (inv.creation_date + inv.expiry) * 1000,
    isHold,
  };
  if (preimage !== undefined) out.preimage = preimage;
  if (state === 'settled') {
    if (inv.settle_date > 0) out.settledAt = inv.settle_date * 1000;
    out.amountPaidMsat = inv.amt_paid_msat;
  } else if (state === 'accepted') {
    // LND fills amt_paid only on settlement; while held, the accepted HTLCs are what was delivered.
    out.amountPaidMsat = inv.htlcs.filter((h) => h.state === 'ACCEPTED').reduce((s, h) => s + h.amt_msat, 0);
  }
  return out;
}

const PAYMENT_STATUS: Record<LndPayment['status'], PaymentStatus> = {
  UNKNOWN: 'in_flight',
  INITIATED: 'in_flight',
  IN_FLIGHT: 'in_flight',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
};

/** An LND payment as the shared `Payment`. `nowMs` stamps failures LND gives no resolve time for. */
export function toPayment(p: LndPayment, nowMs: number): Payment {
  const status = PAYMENT_STATUS[p.status];
  const succeeded = p.htlcs.find((h) => h.status === 'SUCCEEDED');
  const out: Payment = {
    paymentHash: p.payment_hash,
    status,
    amountMsat: p.value_msat,
    feeMsat: status === 'succeeded' ? p.fee_msat : 0,
    hops: status === 'succeeded' ? (succeeded?.route?.hops.length ?? 0) : 0,
    attempts: p.htlcs.length,
    createdAt: p.creation_time_ns,
  };
  if (status === 'succeeded') {
    out.preimage = p.payment_preimage;
    out.resolvedAt = succeeded?.resolve_time_ns || nowMs;
  }
  if (status === 'failed') {
    const resolved = Math.max(0, ...p.htlcs.map((h) => h.resolve_time_ns));
    out.resolvedAt = resolved || nowMs;
    const reason = failureReasonOf(p);
    out.failure = { reason, message: failureMessage(p, reason) };
  }
  return out;
}

/** LND's failure reason, with NO_ROUTE refined by the last attempt's HTLC error. */
function failureReasonOf(p: LndPayment): PaymentFailureReason {
  const base = mapFailureReason(p.failure_reason);
  if (base !== 'no_route') return base;
  const last = p.htlcs.at(-1);
  return refineNoRoute(
    last?.failure
      ? {
          code: last.failure.code,
          failureSourceIndex: last.failure.failure_source_index,
          routeLength: last.route?.hops.length ?? 0,
        }
      : undefined,
  );
}

function failureMessage(p: LndPayment, reason: PaymentFailureReason): string {
  const last = p.htlcs.at(-1)?.failure;
  const detail = last?.code ? `, last HTLC failed with ${last.code} at hop ${last.failure_source_index}` : '';
  return `LND: ${p.failure_reason} after ${p.htlcs.length} attempt(s)${detail} (${reason})`;
}

/** LND's channel balance, channel list and wallet balance answers as the shared `Balances`. */
export function toBalances(channel: unknown, list: unknown, wallet: unknown): Balances {
  const c = parseWire(lndChannelBalanceSchema, channel, 'channel balance');
  return {
    localMsat: c.local_balance?.msat ?? 0,
    remoteMsat: c.remote_balance?.msat ?? 0,
    // LND names unsettled HTLCs by who gets them if they settle: outgoing ones are "remote".
    pendingOutMsat: c.unsettled_remote_balance?.msat ?? 0,
    pendingInMsat: c.unsettled_local_balance?.msat ?? 0,
    channels: parseWire(lndChannelListSchema, list, 'list channels').channels.length,
    onchainSat: parseWire(lndWalletBalanceSchema, wallet, 'wallet balance').confirmed_balance,
  };
}
