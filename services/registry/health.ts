import { parseChallenges } from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { Logger } from '../../infra/log.js';
import { silentLogger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { AddressPolicy } from './address-policy.js';
import { probeUrlRefusal } from './address-policy.js';
import { probeRefusalIn } from './probe-fetch.js';
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
  /** Which addresses a listing's URL may name (default `public`; see `AddressPolicy`). */
  addressPolicy?: AddressPolicy;
  /** Probes in flight at once (default 8); a listing never has two. */
  concurrency?: number;
  logger?: Logger;
}

/** A probe's verdict before it is stored. */
export type ProbeOutcome = Omit<ListingHealth, 'failures' | 'checkedAt'>;

/**
 * Checks that listings still answer with a usable L402 challenge: asks each
 * listing's own URL without a token (no redirects followed, only addresses
 * the policy allows), expects 402 with a challenge whose invoice
 * decodes, is payable to the listing's node and asks at most the price the
 * listing advertises for its default (first) tier, and records liveness,
 * latency (on the injected clock) and the quoted price. Rounds run on the
 * clock, so on virtual time a test or the simulator decides when they happen.
 * Probes run `concurrency` at a time with listings that answered last time
 * first, so slow or dead listings cannot delay the others' probes beyond
 * their own timeouts.
 */
export class HealthProber {
  readonly #o: Required<Omit<HealthProberOptions, 'logger'>> & { logger: Logger };
  readonly #inFlight = new Set<string>();
  #running = false;
  #stopped = false;

  constructor({
    intervalMs = 60_000,
    timeoutMs = 5_000,
    addressPolicy = 'public',
    concurrency = 8,
    logger = silentLogger,
    ...rest
  }: HealthProberOptions) {
    if (!(intervalMs > 0) || !(timeoutMs > 0))
      throw new RangeError('intervalMs and timeoutMs must be positive');
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    this.#o = { intervalMs, timeoutMs, addressPolicy, concurrency, logger, ...rest };
  }

  /** Probes one listing and returns what it saw (does not store it). */
  async probe(listing: Listing): Promise<ProbeOutcome> {
    const { clock, timeoutMs } = this.#o;
    const refusal = probeUrlRefusal(listing.url, this.#o.addressPolicy);
    if (refusal !== undefined) {
      this.#o.logger.debug({ id: listing.id, refusal }, 'listing URL not probed');
      return { alive: false, error: 'forbidden_address' };
    }
    const started = clock.now();
    const ac = new AbortController();
    const done = new AbortController(); // ends the time limit's sleep once the probe has its answer
    let timedOut = false;
    // At its time limit the probe aborts its request, then gives it one turn of the event loop to
    // fail with why it stopped (a lookup still running says so), else counts a plain timeout.
    const timer = clock.sleep(timeoutMs, done.signal).then(async () => {
      timedOut = true;
      ac.abort();
      await new Promise((turn) => setImmediate(turn));
      throw new Error('timeout');
    });
    let res: Response;
    try {
      res = await Promise.race([
        this.#o.fetch(
          new Request(listing.url, {
            headers: { accept: 'application/json' },
            redirect: 'manual',
            signal: ac.signal,
          }),
        ),
        timer,
      ]);
    } catch (err) {
      // Refused before connecting: the address policy, or the host name's lookup (see `ProbeRefusal`).
      const refusal = probeRefusalIn(err);
      if (refusal) {
        this.#o.logger.debug({ id: listing.id, refusal: refusal.message }, 'listing not probed');
        return { alive: false, error: refusal.code };
      }
      if (timedOut) return { alive: false, error: 'timeout' };
      return { alive: false, latencyMs: clock.now() - started, error: 'unreachable' };
    } finally {
      done.abort();
    }
    const latencyMs = clock.now() - started;
    await res.body?.cancel().catch(() => undefined);
    // A redirect is not followed: the listing's own URL must answer.
    if (res.status >= 300 && res.status < 400) return { alive: false, latencyMs, error: 'redirect' };
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
    // The probe names no tier, so it is sold the default tier, the listing's first: asking more than that
    // tier advertises, the seller is refused (`over_quoted_price`) by every buyer who found it by that price.
    const advertised = listing.tiers[0]?.priceMsat;
    if (amount !== undefined && advertised !== undefined && amount > advertised)
      return { alive: false, latencyMs, quotedPriceMsat: amount, error: 'over_advertised' };
    return { alive: true, latencyMs, ...(amount !== undefined ? { quotedPriceMsat: amount } : {}) };
  }

  /**
   * Probes every listing once and stores the results: `concurrency` at a
   * time, listings alive at their last probe first, then unprobed ones, then
   * failing ones (each group in id order). A listing still being probed is
   * skipped.
   */
  async probeAll(): Promise<void> {
    const rank = (l: Listing) => (l.health === undefined ? 1 : l.health.alive ? 0 : 2);
    const queue = this.#o.registry
      .all()
      .filter((l) => !this.#inFlight.has(l.id))
      .sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : 1));
    const worker = async () => {
      for (let l = queue.shift(); l !== undefined; l = queue.shift()) await this.#probeAndRecord(l);
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, worker));
  }

  async #probeAndRecord(listing: Listing): Promise<void> {
    this.#inFlight.add(listing.id);
    try {
      const outcome = await this.probe(listing);
      const failures = outcome.alive ? 0 : (listing.health?.failures ?? 0) + 1;
      await this.#o.registry.recordHealth(listing.id, {
        ...outcome,
        checkedAt: this.#o.clock.now(),
        failures,
      });
    } finally {
      this.#inFlight.delete(listing.id);
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
