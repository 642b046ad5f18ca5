import { describe, expect, it } from 'vitest';
import { mapFailureReason, mapSendRefusal, refineNoRoute } from '../../infra/lightning/lnd/failures.js';

// The messages are LND 0.20's own (payments/db/errors.go, routerrpc/router_backend.go, zpay32).
describe('LND failures on the shared enum', () => {
  it.each([
    ['FAILURE_REASON_NO_ROUTE', 'no_route'],
    ['FAILURE_REASON_INSUFFICIENT_BALANCE', 'insufficient_balance'],
    ['FAILURE_REASON_TIMEOUT', 'timeout'],
    ['FAILURE_REASON_INCORRECT_PAYMENT_DETAILS', 'incorrect_payment_details'],
    ['FAILURE_REASON_CANCELED', 'canceled'],
    ['FAILURE_REASON_ERROR', 'error'],
    ['FAILURE_REASON_FROM_A_NEWER_LND', 'error'],
  ])('%s is %s', (lnd, ours) => {
    expect(mapFailureReason(lnd)).toBe(ours);
  });

  it.each([
    ['invoice is already paid', { kind: 'failed', reason: 'already_paid' }],
    [
      'invoice expired. Valid until 2026-11-21 05:21:34 +0000 UTC',
      { kind: 'failed', reason: 'invoice_expired' },
    ],
    ['self-payments not allowed', { kind: 'failed', reason: 'self_payment' }],
    ["invoice not for current active network 'regtest'", { kind: 'failed', reason: 'wrong_network' }],
    [
      'failed converting data to bytes: invalid character not part of charset: 98',
      { kind: 'failed', reason: 'invalid_invoice' },
    ],
    [
      'amount must be specified when paying a zero amount invoice',
      { kind: 'failed', reason: 'invalid_invoice' },
    ],
    ['payment is in transition', { kind: 'track' }],
    ['payment already exists', { kind: 'track' }],
    ['routerrpc server shutting down', undefined],
  ])('LND refusing with "%s" means %j', (message, expected) => {
    expect(mapSendRefusal(message)).toEqual(expected);
  });

  it.each([
    [
      'the hop before the payee says its next peer is unknown',
      { code: 'UNKNOWN_NEXT_PEER', failureSourceIndex: 1, routeLength: 2 },
      'recipient_offline',
    ],
    [
      'the hop before the payee says the channel is disabled',
      { code: 'CHANNEL_DISABLED', failureSourceIndex: 2, routeLength: 3 },
      'recipient_offline',
    ],
    [
      'an earlier hop has no next peer',
      { code: 'UNKNOWN_NEXT_PEER', failureSourceIndex: 1, routeLength: 3 },
      'no_route',
    ],
    [
      'the payee lacks liquidity upstream',
      { code: 'TEMPORARY_CHANNEL_FAILURE', failureSourceIndex: 1, routeLength: 2 },
      'no_route',
    ],
    ['no attempt was made', undefined, 'no_route'],
  ] as const)('NO_ROUTE when %s is %s', (_name, failure, expected) => {
    expect(refineNoRoute(failure)).toBe(expected);
  });
});
