import type { z } from 'zod';
import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';
import { LndError } from './errors.js';
import type { LndRestClient } from './rest-client.js';
import { lndInvoiceSchema, parseWire } from './wire.js';

/** One invoice as LND's feeds send it. */
export type LndInvoice = z.output<typeof lndInvoiceSchema>;

/**
 * True when LND (or a proxy in front of it) refused the macaroon: `unauthorized` (gRPC 16
 * UNAUTHENTICATED, 7 PERMISSION_DENIED, LND's macaroon texts, or HTTP 401/403 whatever the body).
 * The macaroon is read once, when the node is made: asking again with it cannot succeed.
 */
export function isRefusal(err: unknown): err is LndError {
  return err instanceof LndError && err.code === 'unauthorized';
}

/** Logs why a feed ended before reconnecting it; a quiet feed's routine reconnect is only debug. */
export function logDropped(log: Logger, err: unknown, fields: Record<string, string>, feed: string): void {
  const quiet = err instanceof LndError && err.code === 'timeout';
  const write = quiet ? log.debug.bind(log) : log.warn.bind(log);
  write({ ...fields, err: String(err) }, `${feed} ${quiet ? 'silent' : 'dropped'}; reconnecting`);
}

/**
 * LND's global invoice feed, `/v1/invoices/subscribe`: every invoice's creation and settlement.
 * After a drop it reconnects (250 ms apart, doubling to 5 s), resuming from the last indexes seen.
 * A refused macaroon (`isRefusal`) ends it for good, logged once as an error saying what to do:
 * every reconnect would be refused the same way.
 */
export class InvoiceFeed {
  readonly #client: LndRestClient;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #deliver: (invoice: LndInvoice) => void;
  #addIndex = 0;
  #settleIndex = 0;
  #refused = false;

  constructor(
    client: LndRestClient,
    deps: { clock: Clock; logger: Logger; deliver: (invoice: LndInvoice) => void },
  ) {
    this.#client = client;
    this.#clock = deps.clock;
    this.#log = deps.logger;
    this.#deliver = deps.deliver;
  }

  /** Follows the feed until `signal` aborts or LND refuses the macaroon; once refused, returns at once. */
  async run(signal: AbortSignal): Promise<void> {
    let delay = 250;
    while (!signal.aborted && !this.#refused) {
      const path = `/v1/invoices/subscribe?add_index=${this.#addIndex}&settle_index=${this.#settleIndex}`;
      // A feed silent past `feedIdleMs` is reconnected: a connection LND stopped serving sends nothing.
      const opts = { signal, idleMs: this.#client.limits.feedIdleMs };
      try {
        for await (const raw of this.#client.stream('GET', path, undefined, opts)) {
          const inv = this.#line(raw);
          if (inv) this.#deliver(inv);
          delay = 250;
        }
      } catch (err) {
        if (signal.aborted) return;
        if (isRefusal(err)) return this.#refuse(err);
        logDropped(this.#log, err, {}, 'invoice feed');
      }
      if (signal.aborted) return;
      await this.#clock.sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }

  #refuse(err: LndError): void {
    this.#refused = true;
    const code = err.grpcCode === undefined ? `HTTP ${err.status ?? '?'}` : `gRPC code ${err.grpcCode}`;
    const said = err.lndMessage ? `${code}: ${err.lndMessage}` : code;
    this.#log.error(
      { code: err.code, status: err.status, grpcCode: err.grpcCode, err: err.message },
      `invoice feed refused by LND (${said}); not reconnecting: onInvoice hears no more of ordinary ` +
        `invoices, only of hold and watched ones (through their own watches, if LND allows them). Give ` +
        `the node a macaroon that may read invoices (admin.macaroon, or one baked with \`lncli ` +
        `bakemacaroon invoices:read\`) and check that macaroonPath is this node's current macaroon, then restart.`,
    );
  }

  /**
   * One line of the feed, its indexes taken: the invoice, or undefined for a line that does not fit
   * LND's schema, which is logged and passed (reconnecting would replay it forever; the per-hash
   * watches and lookups still see that invoice).
   */
  #line(raw: unknown): LndInvoice | undefined {
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
}
