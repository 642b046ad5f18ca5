import type { Clock } from '../../time/clock.js';
import { systemClock } from '../../time/clock.js';
import { silentLogger, type Logger } from '../../log.js';
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
import { toBalances, toInvoice } from './convert.js';
import { LndError } from './errors.js';
import { InvoiceEvents } from './invoice-events.js';
import { readConnection, type LndFiles } from './lnd-files.js';
import { closeWithin } from './closing.js';
import { addHoldInvoice } from './hold-add.js';
import { idempotentWrite, invoiceBody } from './invoice-writes.js';
import { wholeNumber, type LndLimits } from './limits.js';
import { payInvoice, type PayContext } from './pay.js';
import { LndRestClient, type LndConnection, type RetryPolicy } from './rest-client.js';
import { lookupPayment, track } from './track.js';
import {
  assertHex32,
  hexToB64,
  lndAddInvoiceSchema,
  lndGetInfoSchema,
  lndInvoiceSchema,
  parseWire,
} from './wire.js';

export type { LndFiles } from './lnd-files.js';

export interface LndNodeOptions {
  connection: LndConnection;
  /** Wall clock by default; retries and timestamps use it. */
  clock?: Clock;
  logger?: Logger;
  /** How long one call keeps retrying a node that does not answer. */
  retry?: Partial<RetryPolicy>;
  /** How long `pay` keeps resolving a payment by hash after losing its node (default 120 s). */
  reconnectTimeoutMs?: number;
  /** How long and how much LND may answer (`defaultLndLimits`: 30 s a call, 4 MiB a body, …). */
  limits?: Partial<LndLimits>;
}

const LND_NETWORKS: Record<string, Network> = {
  mainnet: 'mainnet',
  testnet: 'testnet',
  testnet4: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
  simnet: 'simnet',
};

/**
 * A real LND node (v0.20) behind the shared `LightningNode` interface, over
 * LND's REST API. Amounts are msat end to end; every invoice is created with
 * `private: true` so it carries route hints for unannounced channels.
 *
 * @example
 * const lnd = join(homedir(), '.lnd'); // full paths: `~` is not expanded
 * const node = await LndNode.fromFiles({ restUrl: 'https://127.0.0.1:8080',
 *   tlsCertPath: join(lnd, 'tls.cert'),
 *   macaroonPath: join(lnd, 'data/chain/bitcoin/mainnet/admin.macaroon') });
 * const invoice = await node.createInvoice({ amountMsat: 21_000, memo: 'coffee' });
 */
export class LndNode implements LightningNode {
  /** The REST client, for node administration beyond `LightningNode` (regtest bootstrap). */
  readonly rest: LndRestClient;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #pay: PayContext;
  /** Aborted by `close()`: ends the payment requests in progress (`pay`, `waitForPayment`, `lookupPayment`). */
  readonly #closing = new AbortController();
  readonly #holdHashes = new Set<string>();
  /** Invoices followed through every state for `onInvoice` (hold invoices made here, `watchInvoice`). */
  readonly #followed = new Set<string>();
  readonly #events: InvoiceEvents;

  constructor({
    connection,
    clock = systemClock,
    logger = silentLogger,
    retry,
    reconnectTimeoutMs = 120_000,
    limits,
  }: LndNodeOptions) {
    // Checked before the client opens anything: a NaN would be a deadline that never passes.
    const reconnectMs = wholeNumber(reconnectTimeoutMs, 'reconnectTimeoutMs', 'bad_config', { min: 0 });
    this.#clock = clock;
    this.#log = logger;
    this.rest = new LndRestClient(connection, {
      clock,
      logger,
      ...(retry ? { retry } : {}),
      ...(limits ? { limits } : {}),
    });
    this.#pay = {
      client: this.rest,
      clock,
      log: logger,
      reconnectTimeoutMs: reconnectMs,
      signal: this.#closing.signal,
    };
    this.#events = new InvoiceEvents(this.rest, {
      clock,
      logger,
      isHold: (h) => this.#holdHashes.has(h),
      onFinal: (h) => this.#followed.delete(h),
    });
  }

  /** Reads the certificate and macaroon files and connects. Missing files → `LndError('bad_config')`. */
  static async fromFiles(files: LndFiles, opts: Omit<LndNodeOptions, 'connection'> = {}): Promise<LndNode> {
    return new LndNode({ ...opts, connection: await readConnection(files) });
  }

  async info(): Promise<NodeInfo> {
    const info = parseWire(lndGetInfoSchema, await this.rest.call('GET', '/v1/getinfo'), 'getinfo');
    const chain = info.chains.find((c) => c.chain === 'bitcoin') ?? info.chains[0];
    const network = chain ? LND_NETWORKS[chain.network] : undefined;
    if (!network)
      throw new LndError('bad_response', `getinfo: unknown network ${JSON.stringify(info.chains)}`);
    return { pubkey: info.identity_pubkey, alias: info.alias, network };
  }

  async createInvoice(req: CreateInvoiceRequest): Promise<Invoice> {
    const body = { ...invoiceBody(req), private: true };
    const res = parseWire(
      lndAddInvoiceSchema,
      await this.rest.call('POST', '/v1/invoices', body, { retry: 'if-not-sent' }),
      'add invoice',
    );
    // Read it back: LND's stored invoice has the preimage, creation time and expiry.
    return this.#mustLookup(Buffer.from(res.r_hash, 'base64').toString('hex'));
  }

  async createHoldInvoice(req: CreateHoldInvoiceRequest): Promise<Invoice> {
    const hash = assertHex32(req.paymentHash, 'paymentHash');
    const body = { ...invoiceBody(req), hash: hexToB64(hash), private: true };
    await addHoldInvoice(this.rest, { ...req, paymentHash: hash }, body, (h) => this.lookupInvoice(h));
    this.#holdHashes.add(hash);
    this.#followed.add(hash);
    this.#events.watch(hash);
    return this.#mustLookup(hash);
  }

  async settleInvoice(preimageHex: string): Promise<void> {
    const preimage = assertHex32(preimageHex, 'preimage');
    await idempotentWrite(
      this.rest,
      this.#log,
      'settleInvoice',
      '/v2/invoices/settle',
      { preimage: hexToB64(preimage) },
      /already settled/i,
    );
  }

  async cancelInvoice(paymentHashHex: string): Promise<void> {
    const hash = assertHex32(paymentHashHex, 'paymentHash');
    await idempotentWrite(
      this.rest,
      this.#log,
      'cancelInvoice',
      '/v2/invoices/cancel',
      { payment_hash: hexToB64(hash) },
      /already canceled/i,
    );
    // LND's global feed leaves cancels out: an invoice no watch follows is reported here (once: `report` de-duplicates).
    if (!this.#followed.has(hash)) await this.#events.reportCanceled(hash, (h) => this.lookupInvoice(h));
  }

  pay(bolt11: string, opts: PayOptions = {}): Promise<Payment> {
    return payInvoice(this.#pay, bolt11, opts);
  }

  async lookupInvoice(paymentHashHex: string): Promise<Invoice | undefined> {
    const hash = assertHex32(paymentHashHex, 'paymentHash');
    try {
      const raw = await this.rest.call('GET', `/v1/invoice/${hash}`);
      return toInvoice(parseWire(lndInvoiceSchema, raw, 'lookup invoice'), this.#holdHashes.has(hash));
    } catch (err) {
      if (err instanceof LndError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  lookupPayment(paymentHashHex: string): Promise<Payment | undefined> {
    return lookupPayment(this.#pay, assertHex32(paymentHashHex, 'paymentHash'));
  }

  /**
   * Waits for a payment this node made to become final (e.g. after a restart). `undefined`: LND never
   * saw it. Not final within `timeoutMs`: `LndError('timeout')` (LND answering) or `'unreachable'` (away).
   */
  async waitForPayment(paymentHashHex: string, timeoutMs = 120_000): Promise<Payment | undefined> {
    const hash = assertHex32(paymentHashHex, 'paymentHash');
    return track(this.#pay, hash, this.#clock.now() + wholeNumber(timeoutMs, 'timeoutMs', 'bad_request'));
  }

  async balances(): Promise<Balances> {
    const [channel, list, wallet] = await Promise.all([
      this.rest.call('GET', '/v1/balance/channels'),
      this.rest.call('GET', '/v1/channels'),
      this.rest.call('GET', '/v1/balance/blockchain'),
    ]);
    return toBalances(channel, list, wallet);
  }

  onInvoice(listener: (invoice: Invoice) => void): () => void {
    const off = this.#events.on(listener);
    for (const hash of this.#followed) this.#events.watch(hash);
    return off;
  }

  /**
   * Follows an invoice this object did not create (e.g. a hold invoice made
   * by another process) through every state, for `onInvoice` listeners.
   * Invoices created here are followed already.
   */
  watchInvoice(paymentHashHex: string): void {
    const hash = assertHex32(paymentHashHex, 'paymentHash');
    this.#followed.add(hash);
    this.#events.watch(hash);
  }

  /** Stops invoice feeds, ends payment requests (a `pay` that sent answers `in_flight`), closes connections. */
  async close(): Promise<void> {
    this.#closing.abort();
    this.#events.close();
    await closeWithin(this.rest, this.#clock, this.#log);
  }

  async #mustLookup(hash: string): Promise<Invoice> {
    const inv = await this.lookupInvoice(hash);
    if (!inv) throw new LndError('bad_response', `LND created invoice ${hash} but cannot find it`);
    return inv;
  }
}
