import type { BodyTimeLimit } from '../../infra/http/bounded-body.js';
import type { LightningNode, NodeInfo } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { Clock } from '../../infra/time/clock.js';
import type { PaymentPolicy } from '../policies/index.js';
import type { InvoiceRejection, PurchaseEvent, PurchaseOutcome } from './outcome.js';
import type { PreparedRequest } from './request.js';
import type { TokenStore } from './token-store.js';

/**
 * What the purchase engine's stages share. The stage functions (offer.ts,
 * payment.ts, delivery.ts) are plain functions of this context; only the
 * engine (engine.ts) calls them, wrapped in its guards. None throws for an
 * expected failure: each returns a `StepFailure` carrying the outcome.
 */
export interface EngineContext {
  node: LightningNode;
  fetch: typeof fetch;
  policy: PaymentPolicy;
  tokens: TokenStore;
  clock: Clock;
  logger: Logger;
  maxFeeMsat: (amountMsat: Msat) => Msat;
  /** Reports a finished step of the purchase of `req` (with the request's tag). */
  emit: (e: PurchaseEvent, req: PreparedRequest) => void;
  nodeInfo: () => Promise<NodeInfo>;
  allowUnsigned: boolean;
  payTimeoutMs?: number;
  /**
   * Most ms of `clock` a request may wait for its answer, and a body for its bytes: market time in the
   * simulator (no wall-clock pause changes a seeded run), wall time on sockets (`systemClock`).
   */
  requestTimeoutMs: number;
  /** Most bytes of a delivered (2xx) body read; a longer one is not a delivery. */
  maxBodyBytes: number;
  buyer?: string;
}

/** The time limit of one answer's body: `requestTimeoutMs` on the engine's clock. */
export function bodyTime(limits: Pick<EngineContext, 'clock' | 'requestTimeoutMs'>): BodyTimeLimit {
  return { clock: limits.clock, ms: limits.requestTimeoutMs };
}

/** An expected failure of one step. */
export interface StepFailure {
  ok: false;
  outcome: PurchaseOutcome;
  reason: string;
  rejection?: InvoiceRejection;
  status?: number;
  response?: Response;
  /** The invoice amount, when an invoice was decoded before the step failed. */
  quotedMsat?: Msat;
  /** The paywall's reason code of a 401/402 refusal (`quota_exhausted`, `expired`, …). */
  refusal?: string;
}
