import { parseChallenges } from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { Logger } from '../../infra/log.js';
import { silentLogger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { Registry } from './registry.js';
import type { Listing, ListingHealth } from './types.js';

/** What the prober needs. `fetch` is `app.fetch`-style in memory or the real `fetch` on sockets. */
export interface HealthProberOptions {
  registry: Registry;
  fetch: (req: Request) => Promise<Response>;
  clock: Clock;
  /** Time between probe rounds (default 60 s). */
  intervalMs?: number;
  /** A probe slower than this counts as failed (default 5 s). */
  timeoutMs?: number;
  logger?: Logger;
}

/** A probe's verdict before it is stored. */
export type ProbeOutcome = Omit<ListingHealth, 'failures' | 'checkedAt'>;

/**
 * Checks that listings still answer with a usable L402 challenge: asks each
 * listing's URL without a token, expects 402 with a challenge whose invoice
 * decodes and is payable to the listing's node, and records liveness,
 * latency (on the injected clock) and the quoted price. Rounds run on the
 * clock, so on virtual time a test or the simulator decides when they happen.
 */
export class HealthProber {
  readonly #o: Required<Omit<HealthProberOptions, 'logger'>> & { logger: Logger };
  #running = false;
  #stopped = false;

  constructor({
    intervalMs = 60_000,
    timeoutMs = 5_000,
    logger = silentLogger,
    ...rest
  }: HealthProberOptions) {
    if (!(intervalMs > 0) || !(timeoutMs > 0))
      throw new RangeError('intervalMs and timeoutMs must be positive');
    this.#o = { intervalMs, timeoutMs, logger, ...rest };
  }

  /** Probes one listing and returns what it saw (does not store it). */
  async probe(listing: Listing): Promise<ProbeOutcome> {
    const { clock, timeoutMs } = this.#o;
    const started = clock.now();
    const ac = new AbortController();
    let timedOut = false;
    const timer = clock.sleep(timeoutMs).then(() => {
      timedOut = true;
      ac.abort();
    });
    let res: Response;
    try {
      res = await Promise.race([
        this.#o.fetch(
          new Request(listing.url, { headers: { accept: 'application/json' }, signal: ac.signal }),
        ),
        timer.then(() => {
          throw new Error('timeout');
        }),
      ]);
    } catch {
      return timedOut
        ? { alive: false, error: 'timeout' }
        : { alive: false, latencyMs: clock.now() - started, error: 'unreachable' };
    }
    const latencyMs = clock.now() - started;
    await res.body?.cancel().catch(() => undefined);
    if (res.status !== 402) return { alive: false, latencyMs, error: `http_${res.status}` };
    const header = res.headers.get('www-authenticate');
    let invoice: string;
    try {
      invoice = parseChallenges(header ?? '')[0]!.invoice;
    } catch {
      return { alive: false, latencyMs, error: 'bad_challenge' };
    }
    let amount: number | undefined;
    let payee: string;
    try {
      // Unsigned simnet invoices are fine for reading a price; ratings never accept them.
      const d = decodeInvoice(invoice, { allowUnsigned: true });
      amount = d.amountMsat;
      payee = d.payee;
    } catch {
      return { alive: false, latencyMs, error: 'bad_invoice' };
    }
    // An invoice payable to another node is not a purchase the listing's seller can honour.
    if (payee !== listing.nodePubkey)
      return { alive: false, latencyMs, quotedPriceMsat: amount, error: 'wrong_payee' };
    return { alive: true, latencyMs, ...(amount !== undefined ? { quotedPriceMsat: amount } : {}) };
  }

  /** Probes every listing once, in id order, and stores the results. */
  async probeAll(): Promise<void> {
    const { registry, clock } = this.#o;
    for (const listing of registry.all()) {
      const outcome = await this.probe(listing);
      const failures = outcome.alive ? 0 : (listing.health?.failures ?? 0) + 1;
      await registry.recordHealth(listing.id, { ...outcome, checkedAt: clock.now(), failures });
    }
  }

  /** Runs probe rounds every `intervalMs` until `stop()`. Resolves when stopped. */
  async run(): Promise<void> {
    if (this.#running) throw new Error('HealthProber is already running');
    this.#running = true;
    this.#stopped = false;
    try {
      while (!this.#stopped) {
        try {
          await this.probeAll();
        } catch (err) {
          this.#o.logger.error({ err }, 'health probe round failed');
        }
        if (this.#stopped) break;
        await this.#o.clock.sleep(this.#o.intervalMs);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Ends `run()` after the current round or sleep. */
  stop(): void {
    this.#stopped = true;
  }
}
