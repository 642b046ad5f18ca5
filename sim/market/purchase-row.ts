import type { PurchaseResult } from '../../agents/l402/index.js';
import type { PurchaseRole, PurchaseRow } from '../metrics/rows.js';

/** Who made a purchase and for what: the row fields the purchase record does not know. */
export interface RowContext {
  buyer: string;
  group: string;
  role: PurchaseRole;
  seller: string;
  capability: string;
  taskId: string;
  /** Task-level steps that preceded this purchase (the buyer graph's discover and decide). */
  discoverMs?: number;
  decideMs?: number;
  startMs: number;
}

/** One purchases.csv row from an L402 purchase record. */
export function purchaseRow(p: Omit<PurchaseResult, 'response'>, c: RowContext): Omit<PurchaseRow, 'seq'> {
  const discoverMs = c.discoverMs ?? 0;
  const decideMs = c.decideMs ?? 0;
  const quoteMs = p.timings.quoteMs ?? 0;
  const payMs = p.timings.payMs ?? 0;
  const consumeMs = p.timings.consumeMs ?? 0;
  return {
    atMs: p.timings.startedAt - c.startMs,
    buyer: c.buyer,
    group: c.group,
    role: c.role,
    seller: c.seller,
    service: c.seller,
    capability: c.capability,
    taskId: c.taskId,
    tier: p.tokenReused ? 'reuse' : p.paidMsat > 0 ? 'paid' : '',
    outcome: p.outcome,
    reason: p.reason ?? p.rejection ?? '',
    quotedMsat: p.quotedMsat ?? 0,
    paidMsat: p.paidMsat,
    feeMsat: p.feeMsat,
    hops: p.hops,
    attempts: p.attempts,
    tokenReused: p.tokenReused,
    discoverMs,
    quoteMs,
    decideMs,
    payMs,
    consumeMs,
    totalMs: discoverMs + quoteMs + decideMs + payMs + consumeMs,
  };
}
