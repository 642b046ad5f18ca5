import type { Msat } from '../money.js';

/**
 * The one Lightning interface agents and services see. The embedded network
 * (`simnet/`) and LND's REST API (`lnd/`) both implement it; nothing above
 * infra/ knows which one it talks to.
 *
 * Hashes and preimages are lowercase hex strings; amounts are integer msat;
 * times are milliseconds on the node's clock.
 */
export interface LightningNode {
  info(): Promise<NodeInfo>;
  createInvoice(req: CreateInvoiceRequest): Promise<Invoice>;
  /** An invoice whose preimage the caller keeps: HTLCs stay locked until `settleInvoice` or `cancelInvoice`. */
  createHoldInvoice(req: CreateHoldInvoiceRequest): Promise<Invoice>;
  /** Settles an accepted hold invoice, releasing the preimage to the payer. */
  settleInvoice(preimageHex: string): Promise<void>;
  /** Cancels a hold invoice; HTLCs already accepted fail back (the payer is refunded). */
  cancelInvoice(paymentHashHex: string): Promise<void>;
  /**
   * Pays a BOLT11 invoice. Expected failures come back as `status: 'failed'`
   * with a `failure`; a payment whose fate is not known by `timeoutMs` (a
   * real node's HTLC still locked) comes back `status: 'in_flight'`, to be
   * looked up by hash later; it throws only for faults (node unreachable, bug).
   */
  pay(bolt11: string, opts?: PayOptions): Promise<Payment>;
  lookupInvoice(paymentHashHex: string): Promise<Invoice | undefined>;
  lookupPayment(paymentHashHex: string): Promise<Payment | undefined>;
  balances(): Promise<Balances>;
  /** Invoice state changes (open → accepted → settled | canceled). Returns an unsubscribe function. */
  onInvoice(listener: (invoice: Invoice) => void): () => void;
}

export type Network = 'mainnet' | 'testnet' | 'signet' | 'regtest' | 'simnet';

export interface NodeInfo {
  /** 33-byte compressed public key, hex. */
  pubkey: string;
  alias: string;
  network: Network;
}

export interface CreateInvoiceRequest {
  amountMsat: Msat;
  memo?: string;
  /** Seconds until the invoice expires (default 3600, as LND). */
  expirySec?: number;
}

export interface CreateHoldInvoiceRequest extends CreateInvoiceRequest {
  paymentHash: string;
}

export type InvoiceState = 'open' | 'accepted' | 'settled' | 'canceled';

export interface Invoice {
  paymentRequest: string;
  paymentHash: string;
  /** Known for ordinary invoices; for hold invoices only once settled. */
  preimage?: string;
  amountMsat: Msat;
  memo: string;
  state: InvoiceState;
  createdAt: number;
  expiresAt: number;
  settledAt?: number;
  /** What the payer actually delivered (may exceed `amountMsat`). */
  amountPaidMsat?: Msat;
  isHold: boolean;
}

export interface PayOptions {
  /** Routing-fee ceiling; 0 allows only fee-free routes. Default: `defaultMaxFeeMsat(amount)`. */
  maxFeeMsat?: Msat;
  /**
   * Stop waiting after this many ms: the payment fails if no HTLC is locked, else it is `in_flight` (LND).
   * Default `DEFAULT_PAY_TIMEOUT_MS` (60 s) on both backends; LND's adapter then also waits its `reconnectTimeoutMs`.
   */
  timeoutMs?: number;
  /** Amount for zero-amount invoices. */
  amountMsat?: Msat;
}

export type PaymentStatus = 'succeeded' | 'failed' | 'in_flight';

/**
 * Why a payment failed, as an explicit enum (SimLN's outcome list and LND's
 * failure reasons, merged). Both backends map their errors onto these.
 */
export type PaymentFailureReason =
  | 'no_route'
  | 'insufficient_balance'
  | 'recipient_offline'
  | 'invoice_expired'
  | 'already_paid'
  | 'fee_limit_exceeded'
  | 'timeout'
  | 'incorrect_payment_details'
  | 'invalid_invoice'
  | 'wrong_network'
  | 'self_payment'
  | 'canceled'
  | 'error';

export interface PaymentFailure {
  reason: PaymentFailureReason;
  message: string;
}

export interface Payment {
  paymentHash: string;
  status: PaymentStatus;
  /** Present when succeeded. */
  preimage?: string;
  /** Amount delivered to the payee (excluding fees). */
  amountMsat: Msat;
  /** Routing fees paid (0 unless succeeded). */
  feeMsat: Msat;
  /** Number of channels on the successful route (0 when failed). */
  hops: number;
  /** Routes tried. */
  attempts: number;
  failure?: PaymentFailure;
  createdAt: number;
  resolvedAt?: number;
}

export interface Balances {
  /** Sum of our side of every channel, spendable or not. */
  localMsat: Msat;
  remoteMsat: Msat;
  /** Locked in outgoing / incoming HTLCs right now. */
  pendingOutMsat: Msat;
  pendingInMsat: Msat;
  channels: number;
  /** Confirmed on-chain wallet balance (real nodes only; 0 in the simnet). */
  onchainSat: number;
}

/** The fee ceiling used when a caller sets none: 1% of the amount, at least 1 sat (lnget's spirit). */
export function defaultMaxFeeMsat(amountMsat: Msat): Msat {
  return Math.max(1000, Math.floor(amountMsat / 100));
}

/** `pay`'s `timeoutMs` when a caller sets none (LND's own default when `timeout_seconds` is 0): one for both backends. */
export const DEFAULT_PAY_TIMEOUT_MS = 60_000;
