import type { PaymentFailureReason } from '../node.js';

/**
 * LND's payment failure reasons (routerrpc `PaymentFailureReason`) on the
 * shared enum. LND reports a fee ceiling that no route fits as NO_ROUTE; the
 * node tells that case apart afterwards (see `LndNode.pay`).
 */
export function mapFailureReason(lndReason: string): PaymentFailureReason {
  switch (lndReason) {
    case 'FAILURE_REASON_NO_ROUTE':
      return 'no_route';
    case 'FAILURE_REASON_INSUFFICIENT_BALANCE':
      return 'insufficient_balance';
    case 'FAILURE_REASON_TIMEOUT':
      return 'timeout';
    case 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS':
      return 'incorrect_payment_details';
    case 'FAILURE_REASON_CANCELED':
      return 'canceled';
    default:
      // FAILURE_REASON_ERROR and anything newer than this code.
      return 'error';
  }
}

/**
 * What an error LND returns *instead of* starting a payment means. `track`:
 * a payment for this hash is already under way, follow it rather than paying
 * again. `undefined`: not a payment outcome but a fault (throw it).
 */
export type SendRefusal = { kind: 'failed'; reason: PaymentFailureReason } | { kind: 'track' };

/** Ordered: the first pattern that matches LND's message wins. */
const REFUSALS: ReadonlyArray<readonly [RegExp, SendRefusal]> = [
  [/payment is in transition|payment already exists/i, { kind: 'track' }],
  [
    /invoice is already paid|already been paid|payment is already succeeded/i,
    { kind: 'failed', reason: 'already_paid' },
  ],
  [/invoice expired/i, { kind: 'failed', reason: 'invoice_expired' }],
  [/self-payments not allowed/i, { kind: 'failed', reason: 'self_payment' }],
  [
    /not for current active network|unknown network|invalid network/i,
    { kind: 'failed', reason: 'wrong_network' },
  ],
  [/fee limit|fee_limit|exceeds.*fee|fee.*exceed/i, { kind: 'failed', reason: 'fee_limit_exceeded' }],
  [/insufficient (local )?balance/i, { kind: 'failed', reason: 'insufficient_balance' }],
  [/no route|unable to find a path|unable to route/i, { kind: 'failed', reason: 'no_route' }],
  [
    /invalid|checksum|bech32|malformed|amount must|payment request must|payment hash|unable to decode|zero amount|exceeds maximum/i,
    { kind: 'failed', reason: 'invalid_invoice' },
  ],
];

/** Classifies LND's refusal text from SendPaymentV2 / DecodePayReq; `undefined` when it is not a payment outcome. */
export function mapSendRefusal(lndMessage: string): SendRefusal | undefined {
  for (const [pattern, refusal] of REFUSALS) if (pattern.test(lndMessage)) return refusal;
  return undefined;
}

/**
 * What else zpay32.Decode (LND's DecodePayReq) says about a bad invoice (zpay32/decode.go,
 * bech32.go, amountunits.go, invoice.go); the rest of its messages match `REFUSALS`.
 */
const DECODE_VERDICTS =
  /too large|not all lowercase|index of 1|hrp too short|prefix should be|short invoice|data too short|must be \d+ bits|not expressible|minimum amount is|unknown multiplier|must be non-empty|tagged field|field length|no payment hash found|route hints and blinded|description|unsupported .*length|feature (vector|bits)|signature|hop hint|hop data|fallback address|witness program|cannot parse data|data length must/i;

/**
 * LND's verdict on an invoice it could not decode, from its message; `undefined`
 * when the message is not about the invoice (a timeout, a proxy's error page, a
 * busy database): that is a fault to throw, not a reason to give up on the invoice.
 */
export function mapDecodeRefusal(lndMessage: string): PaymentFailureReason | undefined {
  const refusal = mapSendRefusal(lndMessage);
  if (refusal?.kind === 'failed') return refusal.reason;
  return DECODE_VERDICTS.test(lndMessage) ? 'invalid_invoice' : undefined;
}

/**
 * HTLC failure codes that mean the payee's own channel refused or its node is
 * gone: reported by the hop right before the payee, they are `recipient_offline`
 * rather than a routing problem.
 */
const OFFLINE_CODES = new Set(['UNKNOWN_NEXT_PEER', 'CHANNEL_DISABLED']);

/**
 * Refines NO_ROUTE using the last HTLC attempt's failure: when the hop just
 * before the payee says its next peer is unknown or disabled, the payee is offline.
 */
export function refineNoRoute(
  lastFailure: { code: string; failureSourceIndex: number; routeLength: number } | undefined,
): PaymentFailureReason {
  if (
    lastFailure &&
    OFFLINE_CODES.has(lastFailure.code) &&
    lastFailure.failureSourceIndex === lastFailure.routeLength - 1
  ) {
    return 'recipient_offline';
  }
  return 'no_route';
}
