import { LabError } from './errors.js';
/**
 * Money is counted in integer millisatoshis. A `Msat` is a JavaScript number
 * that is always a safe integer (up to 2^53 msat, about 90,000 BTC, far above
 * any channel in this lab); `assertMsat` guards every boundary where amounts
 * enter from outside (config, HTTP, invoices).
 */
export type Msat = number;

export function assertMsat(value: unknown, what = 'amount'): Msat {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new LabError(
      'invalid_amount',
      `${what} must be a non-negative integer number of millisatoshis, got ${String(value)}`,
    );
  }
  return value;
}

export const satToMsat = (sat: number): Msat => assertMsat(sat * 1000, 'sat amount');

/** Floor division to whole satoshis (LND and lnget speak sats in places). */
export const msatToSat = (msat: Msat): number => Math.floor(msat / 1000);

/** Proportional fee in msat for `ppm` parts per million, rounded down as BOLT7 does. */
export const ppmFee = (amountMsat: Msat, ppm: number): Msat =>
  Number((BigInt(amountMsat) * BigInt(ppm)) / 1_000_000n);

/** Fee a policy of `baseFeeMsat` and `feeRatePpm` charges to forward `amountMsat` (BOLT7: base + ppm, rounded down). */
export const forwardingFee = (baseFeeMsat: Msat, feeRatePpm: number, amountMsat: Msat): Msat =>
  baseFeeMsat + ppmFee(amountMsat, feeRatePpm);
