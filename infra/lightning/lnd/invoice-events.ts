import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';
import type { Invoice, InvoiceState } from '../node.js';
import { toInvoice } from './convert.js';
import { LndError } from './errors.js';
import { InvoiceFeed, isRefusal, logDropped } from './invoice-feed.js';
import type { LndRestClient } from './rest-client.js';
import { hexToB64Url, lndInvoiceSchema, parseWire } from './wire.js';

const TERMINAL: ReadonlySet<InvoiceState> = new Set(['settled', 'canceled']);
/** How many invoices' last state we remember for de-duplication. */
const SEEN_LIMIT = 10_000;
/** Most invoices followed at once by their own stream (one connection to LND each). */
export const MAX_INVOICE_WATCHES = 64;
/** Least ms between two lookups of the invoices followed beyond `MAX_INVOICE_WATCHES` (at most 10 a second). */
export const INVOICE_POLL_GAP_MS = 100;

/**
 * Invoice state changes from LND, delivered once each. LND has two feeds:
 * `/v1/invoices/subscribe` (every invoice's creation and settlement, resumable
 * by index) and `/v2/invoices/subscribe/{hash}` (one invoice, every state,
 * including accepted and canceled, which LND 0.20 leaves out of the first).
 * Hold invoices need the second, so each one this node creates is watched
 * until it settles or is canceled, at most `MAX_INVOICE_WATCHES` at once (each
 * holds a connection); the others wait their turn, looked up one at a time
 * (`INVOICE_POLL_GAP_MS` apart) meanwhile. Both feeds reconnect on their own
 * after the node restarts; a watch or lookup LND answers "not found" or
 * refuses (`isRefusal`: the macaroon) stops, logged as an error. The global
 * feed refused stops for good (invoice-feed.ts); the watches and lookups do
 * not depend on it and go on, each learning its invoice's fate or refused in turn.
 */
export class InvoiceEvents {
  readonly #client: LndRestClient;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #isHold: (hash: string) => boolean;
  readonly #onFinal: (hash: string) => void;
  readonly #listeners = new Set<(invoice: Invoice) => void>();
  readonly #seen = new Map<string, InvoiceState>();
  readonly #watched = new Map<string, AbortController>();
  /** Invoices to follow beyond `MAX_INVOICE_WATCHES`, in the order they are looked up. */
  readonly #waiting = new Set<string>();
  readonly #feed: InvoiceFeed;
  #global: AbortController | undefined;
  #poller: AbortController | undefined;

  constructor(
    client: LndRestClient,
    deps: {
      clock: Clock;
      logger: Logger;
      isHold: (hash: string) => boolean;
      /** Called once an invoice settles, is canceled or cannot be followed: it needs no following any more. */
      onFinal?: (hash: string) => void;
    },
  ) {
    this.#client = client;
    this.#clock = deps.clock;
    this.#log = deps.logger;
    this.#isHold = deps.isHold;
    this.#onFinal = deps.onFinal ?? (() => undefined);
    this.#feed = new InvoiceFeed(client, {
      clock: deps.clock,
      logger: deps.logger,
      deliver: (inv) =>
        this.#emit(toInvoice(inv, this.#isHold(Buffer.from(inv.r_hash, 'base64').toString('hex')))),
    });
  }

  /** Adds a listener; the feeds run while at least one listener is registered. */
  on(listener: (invoice: Invoice) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#global) {
      this.#global = new AbortController();
      void this.#feed.run(this.#global.signal);
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  /** True while at least one listener is registered. */
  get listening(): boolean {
    return this.#listeners.size > 0;
  }

  /** Tells the listeners of a state change learnt outside the feeds (a cancel made here), once like any other. */
  report(invoice: Invoice): void {
    if (this.listening) this.#emit(invoice);
  }

  /**
   * After a cancel LND's global feed leaves out: looks the invoice up (`lookup`) and reports its
   * `canceled` state when someone listens; the cancel stands whatever the lookup meets (logged).
   */
  async reportCanceled(hash: string, lookup: (hash: string) => Promise<Invoice | undefined>): Promise<void> {
    if (!this.listening) return;
    try {
      const inv = await lookup(hash);
      if (inv?.state === 'canceled') this.report(inv);
    } catch (err) {
      this.#log.warn(
        { hash, err: String(err) },
        'invoice canceled, but its lookup failed: onInvoice not told',
      );
    }
  }

  /** Follows one invoice through every state (hold invoices: accepted, canceled). */
  watch(paymentHash: string): void {
    if (this.#listeners.size === 0 || this.#watched.has(paymentHash) || this.#waiting.has(paymentHash))
      return;
    if (this.#watched.size < MAX_INVOICE_WATCHES) return this.#startWatch(paymentHash);
    this.#waiting.add(paymentHash);
    if (this.#poller) return;
    const ac = (this.#poller = new AbortController());
    void this.#runPolls(ac.signal).finally(() => {
      if (this.#poller === ac) this.#poller = undefined;
    });
  }

  /** Stops every feed. */
  close(): void {
    this.#global?.abort();
    this.#global = undefined;
    for (const ac of this.#watched.values()) ac.abort();
    this.#watched.clear();
    this.#poller?.abort();
    this.#poller = undefined;
    this.#waiting.clear();
  }

  #startWatch(hash: string): void {
    const ac = new AbortController();
    this.#watched.set(hash, ac);
    void this.#runSingle(hash, ac.signal).finally(() => {
      // Only its own entry: after a close, a new watch of the hash may hold it.
      if (this.#watched.get(hash) !== ac) return;
      this.#watched.delete(hash);
      // Its place goes to the next invoice in line.
      const next = this.#waiting.values().next();
      if (next.done || this.#listeners.size === 0) return;
      this.#waiting.delete(next.value);
      this.#startWatch(next.value);
    });
  }

  async #runSingle(hash: string, signal: AbortSignal): Promise<void> {
    let delay = 250;
    while (!signal.aborted) {
      try {
        const path = `/v2/invoices/subscribe/${hexToB64Url(hash)}`;
        for await (const raw of this.#client.stream('GET', path, undefined, this.#feedOptions(signal))) {
          const invoice = toInvoice(parseWire(lndInvoiceSchema, raw, 'invoice watch'), true);
          this.#emit(invoice);
          if (TERMINAL.has(invoice.state)) return;
          delay = 250;
        }
      } catch (err) {
        if (signal.aborted || this.#gaveUp(err, hash, 'watch')) return;
        logDropped(this.#log, err, { hash }, 'invoice watch');
      }
      if (signal.aborted) return;
      await this.#clock.sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }

  /** Looks up the invoices waiting for a watch, one at a time, until none is left. */
  async #runPolls(signal: AbortSignal): Promise<void> {
    for (;;) {
      const next = this.#waiting.values().next();
      if (next.done || signal.aborted) return;
      const hash = next.value;
      // To the back of the line: each waiting invoice is looked up in turn.
      this.#waiting.delete(hash);
      this.#waiting.add(hash);
      try {
        const raw = await this.#client.call('GET', `/v1/invoice/${hash}`, undefined, {
          signal,
          retry: 'never',
        });
        if (this.#waiting.has(hash))
          this.#emit(toInvoice(parseWire(lndInvoiceSchema, raw, 'invoice poll'), true));
      } catch (err) {
        if (signal.aborted) return;
        if (this.#gaveUp(err, hash, 'lookup')) this.#waiting.delete(hash);
        else this.#log.debug({ hash, err: String(err) }, 'invoice poll failed; asking again in turn');
      }
      // No signal: the clock's sleep keeps an abort listener on it for good (one per lookup).
      await this.#clock.sleep(INVOICE_POLL_GAP_MS);
    }
  }

  /** True (logged as an error, the invoice let go) when LND says the invoice cannot be followed. */
  #gaveUp(err: unknown, hash: string, how: string): boolean {
    if (!(err instanceof LndError) || (err.code !== 'not_found' && !isRefusal(err))) return false;
    this.#log.error(
      { hash, code: err.code, err: err.message },
      `invoice ${how} ${err.code === 'not_found' ? 'found no such invoice' : 'refused'}; no longer following it`,
    );
    this.#onFinal(hash);
    return true;
  }

  /** A watch silent past `feedIdleMs` is reconnected: a connection LND stopped serving sends nothing. */
  #feedOptions(signal: AbortSignal) {
    return { signal, idleMs: this.#client.limits.feedIdleMs };
  }

  #emit(invoice: Invoice): void {
    if (this.#seen.get(invoice.paymentHash) === invoice.state) return;
    this.#seen.delete(invoice.paymentHash);
    this.#seen.set(invoice.paymentHash, invoice.state);
    if (this.#seen.size > SEEN_LIMIT) this.#seen.delete(this.#seen.keys().next().value as string);
    if (TERMINAL.has(invoice.state)) {
      this.#waiting.delete(invoice.paymentHash);
      this.#onFinal(invoice.paymentHash);
    }
    for (const listener of this.#listeners) {
      try {
        listener(invoice);
      } catch (err) {
        // A listener's bug must not stop the feed for the others.
        this.#log.error({ err: String(err) }, 'invoice listener threw');
      }
    }
  }
}
