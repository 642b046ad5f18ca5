import { hash } from 'node:crypto';
import { hex } from '@scure/base';
import type { SecretSource } from '../../random.js';
import type { Clock } from '../../time/clock.js';
import { encodeInvoice, encodeUnsignedInvoice, type InvoiceFields } from '../bolt11.js';
import { checkInvoiceRequest } from '../invoice-request.js';
import { defaultSecp } from '../secp.js';
import type {
  Balances,
  CreateHoldInvoiceRequest,
  CreateInvoiceRequest,
  Invoice,
  LightningNode,
  Network,
  NodeInfo,
  Payment,
  PayOptions,
} from '../node.js';
import type { ChannelGraph } from './graph.js';
import type { InvoiceStore } from './invoices.js';
import type { IssuedInvoice } from './payment-deps.js';
import type { PaymentEngine } from './payment.js';
import type { SettledArchive } from './settled-archive.js';
import { LabError } from '../../errors.js';

/** What a node borrows from its network. */
export interface SimNodeDeps {
  index: number;
  alias: string;
  secretKey: Uint8Array;
  /** Called once, when the node's public key is first derived (the network indexes nodes by it). */
  onPubkey: (pubkeyHex: string, index: number) => void;
  /** This node's own secrets: preimages and payment secrets. */
  secrets: SecretSource;
  clock: Clock;
  network: Network;
  signInvoices: boolean;
  graph: ChannelGraph;
  invoices: InvoiceStore;
  payments: PaymentEngine;
  issued: Map<string, IssuedInvoice>;
  /** Settled invoices the network forgot, and their payers' records: lookups still answer from it. */
  archive: SettledArchive;
  /** Called after each invoice is issued (the network's sweep of invoices that expired unpaid). */
  afterIssue?: () => void;
}

const HASH_RE = /^[0-9a-f]{64}$/;
/** LND writes a min_final_cltv_expiry of 80 blocks into its invoices. */
const FINAL_CLTV = 80;

/**
 * A node of the embedded network behind the same `LightningNode` interface
 * as LND: real signed BOLT11 invoices (unless the network was made with
 * `signInvoices: false`), real preimages, payments that move HTLCs through
 * channels on the injected clock.
 */
export class SimNode implements LightningNode {
  readonly index: number;
  readonly alias: string;
  readonly #d: SimNodeDeps;
  #pubkey: { bytes: Uint8Array; hex: string } | undefined;

  constructor(deps: SimNodeDeps) {
    this.#d = deps;
    this.index = deps.index;
    this.alias = deps.alias;
  }

  /** 33-byte compressed public key, hex. */
  get pubkey(): string {
    return this.#publicKey().hex;
  }

  /**
   * The key pair's public half, derived on first use: in a large market most
   * buyers' keys never leave their node. Every way a key can leave (this
   * getter, `info`, an invoice) comes through here, so the network has
   * indexed a key before anyone can name it.
   */
  #publicKey(): { bytes: Uint8Array; hex: string } {
    if (this.#pubkey) return this.#pubkey;
    const bytes = defaultSecp.publicKey(this.#d.secretKey);
    this.#pubkey = { bytes, hex: hex.encode(bytes) };
    this.#d.onPubkey(this.#pubkey.hex, this.index);
    return this.#pubkey;
  }

  async info(): Promise<NodeInfo> {
    return { pubkey: this.pubkey, alias: this.alias, network: this.#d.network };
  }

  async createInvoice(req: CreateInvoiceRequest): Promise<Invoice> {
    const preimage = this.#d.secrets.bytes(32);
    return this.#issue(req, hash('sha256', preimage, 'hex'), hex.encode(preimage), false);
  }

  async createHoldInvoice(req: CreateHoldInvoiceRequest): Promise<Invoice> {
    if (typeof req?.paymentHash !== 'string' || !HASH_RE.test(req.paymentHash))
      throw new LabError('invalid_invoice_request', 'paymentHash must be 64 lowercase hex characters');
    return this.#issue(req, req.paymentHash, undefined, true);
  }

  async settleInvoice(preimageHex: string): Promise<void> {
    this.#d.invoices.settle(preimageHex);
  }

  async cancelInvoice(paymentHashHex: string): Promise<void> {
    this.#d.invoices.cancel(paymentHashHex);
  }

  pay(bolt11: string, opts?: PayOptions): Promise<Payment> {
    return this.#d.payments.pay(this.index, bolt11, opts);
  }

  async lookupInvoice(paymentHashHex: string): Promise<Invoice | undefined> {
    return this.#d.invoices.get(paymentHashHex) ?? this.#d.archive.invoice(this.index, paymentHashHex);
  }

  async lookupPayment(paymentHashHex: string): Promise<Payment | undefined> {
    const d = this.#d;
    return d.payments.lookup(this.index, paymentHashHex) ?? d.archive.payment(this.index, paymentHashHex);
  }

  async balances(): Promise<Balances> {
    const g = this.#d.graph;
    const b: Balances = {
      localMsat: 0,
      remoteMsat: 0,
      pendingOutMsat: 0,
      pendingInMsat: 0,
      channels: 0,
      onchainSat: 0,
    };
    for (const e of g.outEdges[this.index]!) {
      const ch = g.channels[e >> 1]!;
      const dir = e & 1;
      b.localMsat += ch.balance[dir]!;
      b.remoteMsat += ch.balance[dir ^ 1]!;
      b.pendingOutMsat += ch.inFlight[dir]!;
      b.pendingInMsat += ch.inFlight[dir ^ 1]!;
      b.channels++;
    }
    return b;
  }

  onInvoice(listener: (invoice: Invoice) => void): () => void {
    return this.#d.invoices.on(listener);
  }

  #issue(
    req: CreateInvoiceRequest,
    paymentHash: string,
    preimage: string | undefined,
    isHold: boolean,
  ): Invoice {
    const d = this.#d;
    // The limits LND keeps too: a request made here is one LND makes.
    const { amountMsat, memo, expirySec } = checkInvoiceRequest(req);
    // LND keeps every invoice: a hash this node was paid stays refused after the network forgot the invoice.
    if (d.archive.invoice(this.index, paymentHash))
      throw new LabError(
        'invalid_invoice_request',
        `an invoice with hash ${paymentHash} was already settled: make a new preimage and hash`,
      );
    const createdAt = d.clock.now();
    const timestampSec = Math.floor(createdAt / 1000);
    const paymentSecret = hex.encode(d.secrets.bytes(32));
    const fields: InvoiceFields = {
      network: d.network,
      ...(amountMsat > 0 && { amountMsat }),
      paymentHash,
      paymentSecret,
      description: memo,
      timestampSec,
      expirySec,
      minFinalCltvExpiry: FINAL_CLTV,
    };
    // A signed invoice names its payee by the signature: the key is indexed before the invoice leaves.
    const payee = this.#publicKey();
    // A zero-amount invoice is how a node signs a message (listing attestations): always signed.
    const paymentRequest =
      d.signInvoices || amountMsat === 0
        ? encodeInvoice(fields, d.secretKey)
        : encodeUnsignedInvoice(fields, payee.bytes);
    // Same rounding as the decoder: the payer and the payee agree on the expiry to the millisecond.
    // Exact: the timestamp fits BOLT11's 35 bits (encoding refuses more), the expiry is at most a year.
    const expiresAt = (timestampSec + expirySec) * 1000;
    const invoice: Invoice = {
      paymentRequest,
      paymentHash,
      ...(preimage !== undefined && { preimage }),
      amountMsat,
      memo,
      state: 'open',
      createdAt,
      expiresAt,
      isHold,
    };
    d.invoices.add(invoice, FINAL_CLTV, paymentSecret);
    d.issued.set(paymentRequest, {
      payee: this.index,
      paymentHash,
      ...(amountMsat > 0 && { amountMsat }),
      expiresAtMs: expiresAt,
      minFinalCltv: FINAL_CLTV,
      paymentSecret,
    });
    d.afterIssue?.();
    return { ...invoice };
  }
}
