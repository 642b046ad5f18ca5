import type { Msat } from '../../infra/money.js';
import {
  reservationIssuer,
  type Decision,
  type PaymentPolicy,
  type PolicyContext,
  type Offer,
} from './types.js';

/**
 * Stateless rules judge one offer on its own; they hold no money, so their
 * reservations are receipts and settle/release do nothing.
 */
function statelessPolicy(
  name: string,
  describe: string,
  judge: (
    offer: Offer,
    ctx: PolicyContext,
  ) => Omit<Decision & { kind: 'deny' | 'escalate' }, 'policy'> | null,
): PaymentPolicy {
  const issue = reservationIssuer(name);
  return {
    name,
    authorize(offer, ctx): Decision {
      const verdict = judge(offer, ctx);
      if (verdict) return { ...verdict, policy: name } as Decision;
      return { kind: 'allow', reservation: issue(offer.amountMsat + offer.maxFeeMsat, ctx.nowMs) };
    },
    settle: () => {},
    release: () => {},
    describe: () => describe,
  };
}

/** Allows everything (the default when no policy is configured). */
export function allowAll(): PaymentPolicy {
  return statelessPolicy('allow_all', 'allow_all', () => null);
}

/** Refuses any single invoice above `maxMsat` (with its fee ceiling too when `includeFee`). */
export function maxPerRequest(params: { maxMsat: Msat; includeFee?: boolean }): PaymentPolicy {
  return statelessPolicy(
    'max_per_request',
    `max_per_request: ${params.maxMsat} msat${params.includeFee ? ' incl. fee' : ''}`,
    (q) => {
      const asked = q.amountMsat + (params.includeFee ? q.maxFeeMsat : 0);
      if (asked <= params.maxMsat) return null;
      return {
        kind: 'deny',
        outcome: 'policy_denied',
        reason: `max_per_request: ${asked} msat is above the per-request maximum of ${params.maxMsat} msat`,
      };
    },
  );
}

/** Hands any invoice above `thresholdMsat` to a human or parent agent instead of paying. */
export function escalateAbove(params: { thresholdMsat: Msat }): PaymentPolicy {
  return statelessPolicy('escalate_above', `escalate_above: ${params.thresholdMsat} msat`, (q) =>
    q.amountMsat > params.thresholdMsat
      ? {
          kind: 'escalate',
          reason: `escalate_above: ${q.amountMsat} msat is above ${params.thresholdMsat} msat; needs approval`,
        }
      : null,
  );
}

/**
 * Pays only when the task is worth more than the price plus the expected fee
 * plus a margin (absolute `marginMsat` and/or `marginPpm` of the price).
 * When the task's value is unknown, `whenUnknown` decides (default: deny).
 */
export function valueBased(params: {
  marginMsat?: Msat;
  marginPpm?: number;
  whenUnknown?: 'allow' | 'deny' | 'escalate';
}): PaymentPolicy {
  const { marginMsat = 0, marginPpm = 0, whenUnknown = 'deny' } = params;
  return statelessPolicy(
    'value_based',
    `value_based: margin ${marginMsat} msat + ${marginPpm} ppm`,
    (q, ctx) => {
      if (ctx.taskValueMsat === undefined) {
        if (whenUnknown === 'allow') return null;
        const reason = 'value_based: the task has no declared value';
        return whenUnknown === 'escalate'
          ? { kind: 'escalate', reason }
          : { kind: 'deny', outcome: 'policy_denied', reason };
      }
      const fee = ctx.expectedFeeMsat ?? q.maxFeeMsat;
      const margin = marginMsat + Math.floor((q.amountMsat * marginPpm) / 1_000_000);
      const cost = q.amountMsat + fee + margin;
      if (ctx.taskValueMsat > cost) return null;
      return {
        kind: 'deny',
        outcome: 'policy_denied',
        reason:
          `value_based: task value ${ctx.taskValueMsat} msat does not exceed price ${q.amountMsat} + ` +
          `expected fee ${fee} + margin ${margin} = ${cost} msat`,
      };
    },
  );
}
