import { tokenLimits } from '../../infra/l402/index.js';
import type { PurchaseResult } from '../../agents/l402/index.js';
import type { StepTiming } from '../../agents/buyer/types.js';
import type { NewPurchaseRow } from '../metrics/recorder.js';
import type { ListingTier } from '../../services/registry/types.js';
import {
  STEPS,
  failureOf,
  stageOf,
  type PricingTier,
  type PurchaseRole,
  type Step,
  type StepSpan,
} from '../metrics/rows.js';

/** Who made a purchase and for what: the row fields the purchase record does not know. */
export interface RowContext {
  buyer: string;
  group: string;
  role: PurchaseRole;
  seller: string;
  capability: string;
  taskId: string;
  /** Clock time of the run's start (row times are relative to it). */
  startMs: number;
  /** The seller's tiers as its listing advertises them: the row names the one the token's `services` caveat names. */
  tiers?: readonly ListingTier[];
  /** The tier bought, when the caller knows it without a token (a restock's bundle, a resold slice). */
  tier?: PricingTier;
}

const STEP_NAMES = new Set<string>(STEPS);

/**
 * One purchases.csv row from an L402 purchase record. `chain` is the buyer
 * graph's steps that led to it (since the buyer last re-evaluated); without
 * it (the plain client) the steps are laid end to end from the record's
 * durations: quote from the start, pay after it, consume up to the end.
 */
export function purchaseRow(
  p: Omit<PurchaseResult, 'response'> & { quoteDelayMs?: number; arrivalRank?: number },
  c: RowContext,
  chain?: readonly StepTiming[],
): NewPurchaseRow {
  const payMs = ownPayMs(p);
  const spent = chain ? chainSpans(chain, c.startMs) : clientSpans(p, payMs, c.startMs);
  // The row's span covers all its steps took, waits included; the pay step is the payment alone.
  const spans = Object.values(spent);
  const steps = chain ? ownPay(spent, payMs) : spent;
  let startMs = p.timings.startedAt - c.startMs;
  let endMs = p.timings.endedAt - c.startMs;
  if (spans.length) {
    // From the first step's start to the last one's end.
    startMs = Infinity;
    endMs = -Infinity;
    for (const s of spans) {
      startMs = Math.min(startMs, s.atMs);
      endMs = Math.max(endMs, s.atMs + s.ms);
    }
  }
  const reason = p.reason ?? p.rejection ?? '';
  const stage = stageOf({
    outcome: p.outcome,
    paidMsat: p.paidMsat,
    tokenReused: p.tokenReused,
    ...(p.timings.payMs !== undefined && { payMs: p.timings.payMs }),
  });
  return {
    startMs,
    endMs,
    buyer: c.buyer,
    group: c.group,
    role: c.role,
    seller: c.seller,
    capability: c.capability,
    taskId: c.taskId,
    ...tierColumns(c.tier ?? listedTier(p.macaroon, c.tiers)),
    stage,
    outcome: p.outcome,
    failure: failureOf(stage, reason, p.notStarted),
    refusal: p.refusal ?? '',
    reason,
    // A paid invoice was checked to carry an amount, so what was paid is what was quoted.
    quotedMsat: p.quotedMsat ?? (p.paidMsat > 0 && !p.tokenReused ? p.paidMsat : 0),
    paidMsat: p.paidMsat,
    feeMsat: p.feeMsat,
    hops: p.hops,
    requests: p.requests,
    tokenReused: p.tokenReused,
    ...(p.quoteDelayMs !== undefined && { quoteDelayMs: p.quoteDelayMs }),
    ...(p.arrivalRank !== undefined && { arrivalRank: p.arrivalRank }),
    steps,
  };
}

function chainSpans(chain: readonly StepTiming[], startMs: number): Partial<Record<Step, StepSpan>> {
  const out: Partial<Record<Step, StepSpan>> = {};
  for (const st of chain) {
    if (!STEP_NAMES.has(st.node)) continue;
    const prev = out[st.node as Step];
    out[st.node as Step] = prev
      ? { atMs: prev.atMs, ms: prev.ms + st.durationMs }
      : { atMs: st.atMs - startMs, ms: st.durationMs };
  }
  return out;
}

/**
 * How long the attempt's own payment took (events.jsonl's `pay`): none when it paid nothing because
 * another purchase of the resource left the token it used (`tokenReused`, nothing paid; no `pay` event).
 */
function ownPayMs(p: Omit<PurchaseResult, 'response'>): number | undefined {
  return p.tokenReused && p.paidMsat === 0 ? undefined : p.timings.payMs;
}

/**
 * The pay step is the payment itself: the graph's pay node also waits for
 * another task's purchase of the same resource (single-flight) before it
 * pays, which is in the row's total but not in its pay step. The payment
 * ends when the node does. A pay node that made no payment of its own (the
 * token came from that other purchase) leaves no pay step.
 */
function ownPay(
  steps: Partial<Record<Step, StepSpan>>,
  payMs: number | undefined,
): Partial<Record<Step, StepSpan>> {
  const { pay, ...rest } = steps;
  if (!pay) return steps;
  if (payMs === undefined) return rest;
  if (payMs >= pay.ms) return steps;
  return { ...steps, pay: { atMs: pay.atMs + pay.ms - payMs, ms: payMs } };
}

function clientSpans(
  p: Omit<PurchaseResult, 'response'>,
  payMs: number | undefined,
  startMs: number,
): Partial<Record<Step, StepSpan>> {
  const t = p.timings;
  const at = t.startedAt - startMs;
  const out: Partial<Record<Step, StepSpan>> = {};
  if (t.quoteMs !== undefined) out.quote = { atMs: at, ms: t.quoteMs };
  if (payMs !== undefined) out.pay = { atMs: at + (t.quoteMs ?? 0), ms: payMs };
  if (t.consumeMs !== undefined) out.consume = { atMs: t.endedAt - startMs - t.consumeMs, ms: t.consumeMs };
  return out;
}

/**
 * The listed tier a token is for: the tier number its `services` caveat names (what the paywall minted it
 * for), looked up in the seller's advertised tiers. None without a readable token, a listing or such a tier.
 */
function listedTier(
  macaroon: string | undefined,
  tiers: readonly ListingTier[] | undefined,
): PricingTier | undefined {
  if (!macaroon || !tiers) return undefined;
  let tier: number | undefined;
  try {
    tier = tokenLimits(macaroon).services[0]?.tier;
  } catch {
    return undefined;
  }
  return tiers.find((t) => t.tier === tier);
}

/** A tier as purchases.csv's columns: its kind, the calls it buys (a single call buys 1), a pass's seconds. */
function tierColumns(t: PricingTier | undefined): Pick<NewPurchaseRow, 'tierKind' | 'tierCalls' | 'tierSec'> {
  if (!t) return { tierKind: '' };
  if (t.kind === 'pass')
    return { tierKind: 'pass', ...(t.durationSec !== undefined && { tierSec: t.durationSec }) };
  const calls = t.kind === 'single' ? 1 : t.calls;
  return { tierKind: t.kind, ...(calls !== undefined && { tierCalls: calls }) };
}

/**
 * The graph steps that led to the purchase made at `stepIndex`: every step
 * after the buyer's last `evaluate` up to and including that one.
 */
export function chainOf(steps: readonly StepTiming[], stepIndex: number): StepTiming[] {
  let from = stepIndex;
  while (from > 0 && steps[from - 1]!.node !== 'evaluate') from--;
  return steps.slice(from, stepIndex + 1);
}
