import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { L402PaywallOptions } from '../../services/paywall/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { appWith, challengeOf, inMemory, makeWorld } from './helpers.js';

const w = makeWorld();
const ok: L402PaywallOptions = {
  node: w.seller,
  minter: w.minter,
  clock: w.clock,
  service: 'weather',
  price: 1_000,
};

/** What building the paywall with `patch` throws, as `{ name, code, message }`. */
function refusal(patch: Partial<L402PaywallOptions>) {
  try {
    l402Paywall({ ...ok, ...patch });
  } catch (e) {
    const err = e as Error & { code: string };
    return { name: err.name, code: err.code, message: err.message };
  }
  return undefined;
}

const MEMO_LIMIT = "must be at most 639 bytes of UTF-8 (all a BOLT11 invoice's description holds)";
const EXPIRY_LIMIT = "must be a whole number of seconds from 1 to 31536000 (one year, LND's most)";

describe('l402Paywall refuses, when built, an invoice expiry or memo no Lightning backend takes', () => {
  it.each<[string, Partial<L402PaywallOptions>, string]>([
    [
      'invoiceExpirySec of 400 days',
      { invoiceExpirySec: 34_560_000 },
      `options.invoiceExpirySec ${EXPIRY_LIMIT}, got 34560000`,
    ],
    [
      'invoiceExpirySec of a year and a second',
      { invoiceExpirySec: 31_536_001 },
      `options.invoiceExpirySec ${EXPIRY_LIMIT}, got 31536001`,
    ],
    ['invoiceExpirySec 0', { invoiceExpirySec: 0 }, `options.invoiceExpirySec ${EXPIRY_LIMIT}, got 0`],
    ['invoiceExpirySec 1.5', { invoiceExpirySec: 1.5 }, `options.invoiceExpirySec ${EXPIRY_LIMIT}, got 1.5`],
    ['a memo of 700 characters', { memo: 'm'.repeat(700) }, `options.memo ${MEMO_LIMIT}, got 700 bytes`],
    ['a memo of 2,000 characters', { memo: 'm'.repeat(2000) }, `options.memo ${MEMO_LIMIT}, got 2000 bytes`],
    ['a memo of 320 é (640 bytes)', { memo: 'é'.repeat(320) }, `options.memo ${MEMO_LIMIT}, got 640 bytes`],
    [
      'a memo that is a number',
      { memo: 5 as unknown as string },
      'options.memo must be a string, got a number',
    ],
    [
      'no memo and a 640-character service name (default memo "<service> tier 0" of 647 bytes)',
      { service: 's'.repeat(640) },
      'the default memo of tier 0 ("<service> tier 0"; set options.memo or shorten options.service) ' +
        `${MEMO_LIMIT}, got 647 bytes`,
    ],
  ])(
    '%s: LabError invalid_paywall_options naming the option, the limit and the value',
    (_, patch, message) => {
      expect(refusal(patch)).toEqual({ name: 'LabError', code: 'invalid_paywall_options', message });
    },
  );

  it('builds with an invoiceExpirySec of one year, a memo of 639 bytes, or a long service name with a memo of its own', () => {
    expect(refusal({ invoiceExpirySec: 31_536_000 })).toBeUndefined();
    expect(refusal({ memo: '€'.repeat(213) })).toBeUndefined();
    expect(refusal({ service: 's'.repeat(640), memo: 'weather' })).toBeUndefined();
  });

  it('a paywall with invoiceExpirySec of one year answers 402 with an invoice expiring in 31,536,000 s', async () => {
    const app = appWith(l402Paywall({ ...ok, invoiceExpirySec: 31_536_000, memo: 'weather, a year' }));
    const res = await inMemory(app)('/v1/data');
    expect(res.status).toBe(402);
    const decoded = decodeInvoice(challengeOf(res).invoice);
    expect([decoded.expirySec, decoded.description]).toEqual([31_536_000, 'weather, a year']);
  });
});
