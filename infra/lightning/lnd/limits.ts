import { LndError, type LndErrorCode } from './errors.js';
import type { RetryPolicy } from './retry.js';

/** How long and how much LND may answer before the client stops listening. */
export interface LndLimits {
  /**
   * Most ms a call waits for its whole answer, and a stream for a first message
   * LND sends at once (a payment's first update, a lookup). Default 30 s: LND's
   * slowest ordinary call, connecting to a peer, waits up to 20 s.
   */
  callTimeoutMs: number;
  /** Most ms an invoice feed stays silent before it is reconnected (default 60 s). */
  feedIdleMs: number;
  /** Most bytes of one call's answer (default 4 MiB). */
  maxBodyBytes: number;
  /** Most bytes of one message on a stream (default 1 MiB). */
  maxLineBytes: number;
}

export const defaultLndLimits: LndLimits = {
  callTimeoutMs: 30_000,
  feedIdleMs: 60_000,
  maxBodyBytes: 4 * 1024 * 1024,
  maxLineBytes: 1024 * 1024,
};

/**
 * `value` when it is a whole number ≥ `min`; otherwise an `LndError(code)`
 * naming the option (NaN or a fraction would make a deadline that never passes).
 */
export function wholeNumber(
  value: unknown,
  name: string,
  code: LndErrorCode,
  { min = 1, unit = 'ms' }: { min?: number; unit?: 'ms' | 'bytes' } = {},
): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  throw new LndError(
    code,
    `${name} must be a whole number of ${unit}, at least ${min}; got ${String(value)}`,
  );
}

/** The limits with the defaults filled in, each one checked. */
export function lndLimits(given: Partial<LndLimits> = {}): LndLimits {
  const out = { ...defaultLndLimits, ...given };
  for (const key of Object.keys(defaultLndLimits) as Array<keyof LndLimits>) {
    wholeNumber(out[key], `limits.${key}`, 'bad_config', { unit: key.endsWith('Ms') ? 'ms' : 'bytes' });
  }
  return out;
}

/** The retry policy with the defaults filled in, each number checked (a NaN `maxWaitMs` would retry forever). */
export function retryPolicy(defaults: RetryPolicy, given: Partial<RetryPolicy> = {}): RetryPolicy {
  const out = { ...defaults, ...given };
  wholeNumber(out.maxWaitMs, 'retry.maxWaitMs', 'bad_config', { min: 0 });
  wholeNumber(out.initialDelayMs, 'retry.initialDelayMs', 'bad_config');
  wholeNumber(out.maxDelayMs, 'retry.maxDelayMs', 'bad_config');
  return out;
}
