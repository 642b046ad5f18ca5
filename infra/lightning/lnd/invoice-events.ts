import type { z } from 'zod';
import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';
import type { Invoice, InvoiceState } from '../node.js';
import { toInvoice } from './convert.js';
import { LndError } from './errors.js';
import type { LndRestClient } from './rest-client.js';
import { hexToB64Url, lndInvoiceSchema, parseWire } from './wire.js';

const TERMINAL: ReadonlySet<InvoiceState> = new Set(['settled', 'canceled']);
/** How many invoices' last state we remember for de-duplication. */
const SEEN_LIMIT = 10_000;

/**
 * Invoice state changes from LND, delivered once each. LND has two feeds:
 * `/v1/invoices/subscribe` (every invoice's creation and settlement, resumable
 * by index) and `/v2/invoices/subscribe/{hash}` (one invoice, every state,
 * including accepted and canceled). Hold invoices need the second, so each
 * one this node creates is watched until it settles or is canceled. Both feeds
 * reconnect on their own after the node restarts.
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
  #global: AbortController | undefined;
  #addIndex = 0;
  #settleIndex = 0;

  constructor(
    client: LndRestClient,
    deps: {
      clock: Clock;
      logger: Logger;
      isHold: (hash: string) => boolean;
      /** Called once an invoice settles or is canceled: it needs no following any more. */
      onFinal?: (hash: string) => void;
    },
  ) {
    this.#client = client;
    this.#clock = deps.clock;
    this.#log = deps.logger;
    this.#isHold = deps.isHold;
    this.#onFinal = deps.onFinal ?? (() => undefined);
  }

  /** Adds a listener; the feeds run while at least one listener is registered. */
  on(listener: (invoice: Invoice) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#global) {
      this.#global = new AbortController();
      void this.#runGlobal(this.#global.signal);
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  /** Follows one invoice through every state (hold invoices: accepted, canceled). */
  watch(paymentHash: string): void {
    if (this.#listeners.size === 0 || this.#watched.has(paymentHash)) return;
    const ac = new AbortController();
    this.#watched.set(paymentHash, ac);
    void this.#runSingle(paymentHash, ac.signal).finally(() => {
      // Only its own entry: after a close, a new watch of the hash may hold it.
      if (this.#watched.get(paymentHash) === ac) this.#watched.delete(paymentHash);
    });
  }

  /** Stops every feed. */
  close(): void {
    this.#global?.abort();
    this.#global = undefined;
    for (const ac of this.#watched.values()) ac.abort();
    this.#watched.clear();
  }

  async #runGlobal(signal: AbortSignal): Promise<void> {
    let delay = 250;
    while (!signal.aborted) {
      const path = `/v1/invoices/subscribe?add_index=${this.#addIndex}&settle_index=${this.#settleIndex}`;
      try {
        for await (const raw of this.#client.stream('GET', path, undefined, this.#feedOptions(signal))) {
          const inv = this.#feedLine(raw);
          if (inv)
            this.#emit(toInvoice(inv, this.#isHold(Buffer.from(inv.r_hash, 'base64').toString('hex'))));
          delay = 250;
        }
      } catch (err) {
        if (signal.aborted) return;
        this.#dropped(err, {}, 'invoice feed');
      }
      if (signal.aborted) return;
      await this.#clock.sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
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
        if (signal.aborted) return;
        this.#dropped(err, { hash }, 'invoice watch');
      }
      if (signal.aborted) return;
      await this.#clock.sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }

  /** A feed that stays silent past `feedIdleMs` is reconnected: a connection LND stopped serving sends nothing. */
  #feedOptions(signal: AbortSignal) {
    return { signal, idleMs: this.#client.limits.feedIdleMs };
  }

  /** Logs why a feed ended before reconnecting it; a quiet feed's routine reconnect is only debug. */
  /**
   * One line of the global feed, its indexes taken: the invoice, or undefined for a line that does
   * not fit LND's schema, which is logged and passed (reconnecting would replay it forever; the
   * per-hash watches and lookups still see that invoice).
   */
  #feedLine(raw: unknown): z.output<typeof lndInvoiceSchema> | undefined {
    const index = (key: string) => {
      const v = (raw as Record<string, unknown> | null)?.[key];
      const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
      return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 0;
    };
    this.#addIndex = Math.max(this.#addIndex, index('add_index'));
    this.#settleIndex = Math.max(this.#settleIndex, index('settle_index'));
    try {
      return parseWire(lndInvoiceSchema, raw, 'invoice feed');
    } catch (err) {
      if (!(err instanceof LndError)) throw err;
      this.#log.warn(
        { err: err.message, addIndex: this.#addIndex },
        'invoice feed: a line LND sent does not fit; passed',
      );
      return undefined;
    }
  }

  #dropped(err: unknown, fields: Record<string, string>, feed: string): void {
    const quiet = err instanceof LndError && err.code === 'timeout';
    const log = quiet ? this.#log.debug.bind(this.#log) : this.#log.warn.bind(this.#log);
    log({ ...fields, err: String(err) }, `${feed} ${quiet ? 'silent' : 'dropped'}; reconnecting`);
  }

  #emit(invoice: Invoice): void {
    if (this.#seen.get(invoice.paymentHash) === invoice.state) return;
    this.#seen.delete(invoice.paymentHash);
    this.#seen.set(invoice.paymentHash, invoice.state);
    if (this.#seen.size > SEEN_LIMIT) this.#seen.delete(this.#seen.keys().next().value as string);
    if (TERMINAL.has(invoice.state)) this.#onFinal(invoice.paymentHash);
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
