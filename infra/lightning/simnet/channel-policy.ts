import { assertMsat, type Msat } from '../../money.js';
import { LabError } from '../../errors.js';

/** What one side of a channel announces for forwarding out of it (BOLT7 channel_update). */
export interface ChannelPolicy {
  baseFeeMsat: Msat;
  feeRatePpm: number;
  cltvDelta: number;
  minHtlcMsat: Msat;
  maxHtlcMsat: Msat;
}

/** `v` as an msat amount of a channel, or `invalid_channel` naming `what`. */
export function channelMsat(v: unknown, what: string): Msat {
  try {
    return assertMsat(v, what);
  } catch (e) {
    throw new LabError('invalid_channel', (e as Error).message, { cause: e });
  }
}

/** A channel's minimum HTLC unless its policy sets one (LND's default): a channel of less capacity does not open. */
export const DEFAULT_MIN_HTLC_MSAT = 1000;

/** A channel side's policy: `o` over the defaults, checked against the channel's capacity `cap`. */
export function makePolicy(o: Partial<ChannelPolicy>, cap: Msat): ChannelPolicy {
  const feeRatePpm = o.feeRatePpm ?? 1;
  const cltvDelta = o.cltvDelta ?? 80;
  if (!Number.isSafeInteger(feeRatePpm) || feeRatePpm < 0)
    throw new LabError('invalid_channel', `feeRatePpm must be a non-negative integer, got ${feeRatePpm}`);
  if (!Number.isSafeInteger(cltvDelta) || cltvDelta < 0 || cltvDelta > 0xffff)
    throw new LabError('invalid_channel', `cltvDelta must be an integer in 0..65535, got ${cltvDelta}`);
  const policy: ChannelPolicy = {
    baseFeeMsat: channelMsat(o.baseFeeMsat ?? 1000, 'baseFeeMsat'),
    feeRatePpm,
    cltvDelta,
    minHtlcMsat: channelMsat(o.minHtlcMsat ?? DEFAULT_MIN_HTLC_MSAT, 'minHtlcMsat'),
    maxHtlcMsat: channelMsat(o.maxHtlcMsat ?? cap, 'maxHtlcMsat'),
  };
  if (policy.minHtlcMsat > policy.maxHtlcMsat)
    throw new LabError(
      'invalid_channel',
      `minHtlcMsat ${policy.minHtlcMsat} exceeds maxHtlcMsat ${policy.maxHtlcMsat}`,
    );
  return policy;
}
