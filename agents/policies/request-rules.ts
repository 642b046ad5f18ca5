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
 * reservations are receipts and settle/release do nothing. `ceiling` is the
 * rule's `ceilingMsat`, when it has one.
 */
function statelessPolicy(
  name: string,
  describe: string,
  judge: (
    offer: Offer,
    ctx: PolicyContext,
  ) => Omit<Decision & { kind: 'deny' | 'escalate' }, 'policy'> | null,
  ceiling?: PaymentPolicy['ceilingMsat'],
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
    ...(ceiling && { ceilingMsat: ceiling }),
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
    // The maximum, less the offer's fee ceiling when the fee counts.
    (q) => Math.max(0, params.maxMsat - (params.includeFee ? q.maxFeeMsat : 0)),
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
 * Pays only when the purchase is worth more than the most it can cost: the
 * price plus the payment's routing-fee limit (`maxFeeMsat`, the most the fee
 * can be, not an estimate of it) plus a margin (absolute `marginMsat` and/or
 * `marginPpm` of the price). A risk-averse rule: a payment it allows never
 * costs more than the value, whatever the route's fee turns out to be.
 * The value is the context's `taskValueMsat` (for the buyer graph, the task's
 * value for the `callsCovered` calls this purchase covers). When it is
 * unknown, `whenUnknown` decides (default: deny).
 */
export function valueBased(params: {
  marginMsat?: Msat;
  marginPpm?: number;
  whenUnknown?: 'allow' | 'deny' | 'escalate';
}): PaymentPolicy {
  const { marginMsat = 0, marginPpm = 0, whenUnknown = 'deny' } = params;
  const marginOf = (amountMsat: Msat) => marginMsat + Math.floor((amountMsat * marginPpm) / 1_000_000);
  return statelessPolicy(
    'value_based',
    `value_based: value > price + fee limit + margin ${marginMsat} msat + ${marginPpm} ppm`,
    (q, ctx) => {
      if (ctx.taskValueMsat === undefined) {
        if (whenUnknown === 'allow') return null;
        const reason = 'value_based: the task has no declared value';
        return whenUnknown === 'escalate'
          ? { kind: 'escalate', reason }
          : { kind: 'deny', outcome: 'policy_denied', reason };
      }
      const margin = marginOf(q.amountMsat);
      const most = q.amountMsat + q.maxFeeMsat + margin;
      if (ctx.taskValueMsat > most) return null;
      return {
        kind: 'deny',
        outcome: 'policy_denied',
        reason:
          `value_based: ${valueLabel(ctx)} ${ctx.taskValueMsat} msat does not exceed price ${q.amountMsat} + ` +
          `fee limit ${q.maxFeeMsat} + margin ${margin} = ${most} msat`,
      };
    },
    // No ceiling without a value, nor for a margin that shrinks with the price (not a spec's).
    (q, ctx) =>
      ctx.taskValueMsat === undefined || !(marginPpm >= 0)
        ? undefined
        : mostUnder(ctx.taskValueMsat - q.maxFeeMsat, marginOf, marginPpm),
  );
}

/**
 * The largest price whose price + margin stays under `room` (0 when none does): the value-based
 * ceiling, `room` being the value less the fee ceiling. Price + margin grows with the price, so the
 * estimate is walked down, then up, to the exact integer.
 */
function mostUnder(room: Msat, marginOf: (amountMsat: Msat) => Msat, ppm: number): Msat {
  const fits = (a: Msat) => a + marginOf(a) < room;
  if (!fits(0)) return 0;
  let a = Math.floor((room - marginOf(0)) / (1 + ppm / 1_000_000));
  while (a > 0 && !fits(a)) a--;
  while (fits(a + 1)) a++;
  return a;
}

/** What the value in a denial is the value of: the calls the purchase covers, or the whole task. */
function valueLabel(ctx: PolicyContext): string {
  const n = ctx.callsCovered;
  if (n === undefined) return 'task value';
  return `value of the ${n} ${n === 1 ? 'call' : 'calls'} it covers`;
}
