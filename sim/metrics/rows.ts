/**
 * The simulator's records: one row per purchase attempt and one per task.
 * Times are ms of run time (0 = the run's start), durations in ms.
 */

/** Who made a purchase: an end buyer, a reseller's sub-agent, a reseller restocking, or a seller buying upstream. */
export type PurchaseRole = 'buyer' | 'sub-agent' | 'reseller' | 'seller';

/** One purchase attempt, whatever its outcome. */
export interface PurchaseRow {
  seq: number;
  atMs: number;
  buyer: string;
  group: string;
  role: PurchaseRole;
  seller: string;
  service: string;
  capability: string;
  taskId: string;
  tier: string;
  outcome: string;
  reason: string;
  quotedMsat: number;
  paidMsat: number;
  feeMsat: number;
  hops: number;
  attempts: number;
  tokenReused: boolean;
  discoverMs: number;
  quoteMs: number;
  decideMs: number;
  payMs: number;
  consumeMs: number;
  totalMs: number;
}

/** One task an agent tried to finish: what it was worth, what it cost. */
export interface TaskRow {
  taskId: string;
  buyer: string;
  group: string;
  role: PurchaseRole;
  capability: string;
  calls: number;
  valueMsat: number;
  /** Value actually earned: all of it when done, a share for the calls delivered otherwise. */
  earnedMsat: number;
  done: boolean;
  spentMsat: number;
  feesMsat: number;
  startedAtMs: number;
  endedAtMs: number;
  /** Why the task run ended (done, no_sellers, budget_exhausted, …). */
  stopReason: string;
}

/** The columns of purchases.csv, in order. */
export const PURCHASE_COLUMNS = [
  'seq',
  'atMs',
  'buyer',
  'group',
  'role',
  'seller',
  'service',
  'capability',
  'taskId',
  'tier',
  'outcome',
  'reason',
  'quotedMsat',
  'paidMsat',
  'feeMsat',
  'hops',
  'attempts',
  'tokenReused',
  'discoverMs',
  'quoteMs',
  'decideMs',
  'payMs',
  'consumeMs',
  'totalMs',
] as const satisfies readonly (keyof PurchaseRow)[];

/** The per-step durations of a purchase, in the order they happen. */
export const STEPS = ['discover', 'quote', 'decide', 'pay', 'consume'] as const;
export type Step = (typeof STEPS)[number];
