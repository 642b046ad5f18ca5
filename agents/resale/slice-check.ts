import { paymentHashOfToken } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import { PAYER_KEY_HEADER, RELEASE_HEADER, parseHoldAuthorization } from '../../services/paywall/index.js';
import { readBody } from '../../infra/http/bounded-body.js';
import { createL402Client, MemoryTokenStore, type PurchaseResult } from '../l402/index.js';
import { adoptToken } from './adopt-token.js';
import { parseSlice, type DelegatedToken } from './delegate.js';
import { DEFAULT_MIN_SLICE_LIFE_SEC, earliestExpiryMs, shortLived, shortOfSold } from './slice-terms.js';
import { noBuyerReleaseAnswer, offersBuyerRelease, sendRelease } from './slice-release.js';

/** Where a buyer tries a slice before its payment settles: a request of the buyer's choosing, at the origin. */
export interface SliceCheck {
  url: string;
  init?: RequestInit;
  /**
   * Seconds the slice's macaroon must still live (its earliest `valid_until`, `earliestExpiryMs`) when
   * the check reads it: what the task's calls after the check need. A slice expiring sooner is canceled
   * before any call, nothing paid. A whole number, 0 or more; default `DEFAULT_MIN_SLICE_LIFE_SEC` (60).
   */
  minLifeSec?: number;
}

/** What the check of one delivered slice found, and whether the reseller took the verdict. */
export interface CheckedSlice {
  /** True when the slice's first call at the check URL succeeded. */
  ok: boolean;
  /** Why the slice failed its check. */
  reason?: string;
  /** That first call (absent when the delivery held no usable slice to call with). */
  call?: PurchaseResult;
  /** The reseller acknowledged the verdict; otherwise its hold is canceled at the invoice's expiry. */
  released: boolean;
  /**
   * The reseller did not keep the payment for the verdict (its 2xx had no `L402-Release: pending`):
   * the slice was checked after its payment settled, and no verdict was sent.
   */
  afterPayment?: true;
}

/** Most bytes of a slice body read for the check. */
const SLICE_BODY_LIMIT = 64 * 1024;
/** Most time, on the checker's clock (market time in the simulator), for reading a slice body. */
const CHECK_TIMEOUT_MS = 30_000;

/** What the checker needs: the sub-agent's name, node, clock and the transport under its client. */
export interface SliceCheckerDeps {
  name: string;
  node: LightningNode;
  fetch: typeof fetch;
  clock: Clock;
  logger?: Logger;
}

/** One purchase's slice check, expected while the purchase runs (`SliceChecker.expect`). */
export interface ExpectedCheck {
  /**
   * Headers marking the purchase's requests as this check's: send them in the purchase's `init`.
   * The checker takes them off before the request leaves.
   */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Ends the wait, once the purchase ended: what the check found for the slice paid under
   * `paymentHash`, or undefined when none ran for it. A check still running then is dropped.
   */
  end(paymentHash: string | undefined): CheckedSlice | undefined;
}

/** The header naming the expected check a purchase's request belongs to (never sent on). */
const CHECK_ID_HEADER = 'x-slice-check';

/**
 * Buyer-released slices. `fetch` goes under the sub-agent's L402 client; a
 * purchase whose slice is to be checked sends the headers of its `expect`, so
 * its requests, and no other purchase's, meet its check. A 402 for it that
 * does not offer buyer release (a hold invoice with `L402-Release: buyer`)
 * never reaches the client: it gets a 409 `no_buyer_release` instead and pays
 * nothing. Its pay-on-success retry asks the reseller for buyer release
 * (`L402-Release: buyer`); when the 2xx comes back `pending`, the
 * HTLC is still held, and the checker makes the slice's first call at the
 * buyer's own check URL, then sends `settle` if it worked or `cancel` if not,
 * before the client sees the delivery. It worked when its macaroon is bound to
 * the service its body names alone (`serviceMismatch`) and still lives the
 * check's `minLifeSec` (else no call is made), that call succeeded and
 * the origin's `L402-Calls-Remaining` leaves the rest of the calls the slice
 * was sold with. A slice that does not work costs 0 msat, and so does one
 * whose request the client stopped waiting for (timed out, aborted) before
 * the verdict: it is canceled.
 */
export class SliceChecker {
  readonly #d: SliceCheckerDeps;
  /** Checks expected, by the id their purchase's requests carry. */
  readonly #checks = new Map<string, SliceCheck>();
  /** What each expected check found: the payment hash of the slice it checked, and the verdict. */
  readonly #found = new Map<string, { paymentHash: string; checked: CheckedSlice }>();
  #ids = 0;

  constructor(deps: SliceCheckerDeps) {
    this.#d = deps;
  }

  /** Checks expected and findings not taken yet: 0 whenever no purchase is between `expect` and `end`. */
  get size(): number {
    return this.#checks.size + this.#found.size;
  }

  /** Expects a slice bought by one purchase, checked with `check`. */
  expect(check: SliceCheck): ExpectedCheck {
    const id = String(this.#ids++);
    this.#checks.set(id, check);
    return {
      headers: { [CHECK_ID_HEADER]: id },
      end: (paymentHash) => {
        const found = this.#found.get(id);
        this.#checks.delete(id);
        this.#found.delete(id);
        return found && found.paymentHash === paymentHash ? found.checked : undefined;
      },
    };
  }

  /** The sub-agent client's transport: passes everything through (its `redirect: 'manual'` kept), checking expected slices. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // The client sends `fetch(url, init)` or `fetch(request, init)`: read the request either way.
    const req = new Request(input, init);
    const id = req.headers.get(CHECK_ID_HEADER);
    if (id === null) return this.#d.fetch(input, init);
    req.headers.delete(CHECK_ID_HEADER);
    const check = this.#checks.get(id);
    if (!check) return this.#d.fetch(req);
    const paymentHash = holdPaymentHash(req);
    if (paymentHash === undefined) return this.#offered(req.url, await this.#d.fetch(req));
    req.headers.set(RELEASE_HEADER, 'buyer');
    const res = await this.#d.fetch(req);
    const ok2xx = res.status >= 200 && res.status < 300;
    if (!ok2xx || res.headers.get(RELEASE_HEADER)?.trim().toLowerCase() !== 'pending') return res;
    const checked = await this.#checkWhileWaited(req, res, check);
    const released = await sendRelease(this.#d, req, checked.ok ? 'settle' : 'cancel');
    // Kept while its purchase waits for it; once that ended (`end`), nobody would take it.
    if (this.#checks.has(id)) this.#found.set(id, { paymentHash, checked: { ...checked, released } });
    // As any fetch whose signal fired: the caller gave up on this answer (its slice was canceled).
    req.signal.throwIfAborted();
    return res;
  };

  /**
   * Checks a slice delivered without a check (its reseller did not keep the payment for a verdict):
   * the same checks, run after the payment settled; no verdict is sent.
   */
  async checkDelivered(res: Response, check: SliceCheck): Promise<CheckedSlice> {
    return { ...(await this.#check(res, check)), released: false, afterPayment: true };
  }

  /** An answer for an expected slice: a 402 that does not offer buyer release is refused (nothing paid). */
  async #offered(url: string, res: Response): Promise<Response> {
    if (res.status !== 402 || offersBuyerRelease(res)) return res;
    await res.body?.cancel();
    this.#d.logger?.warn({ url }, 'slice not bought: the reseller does not offer buyer release');
    return noBuyerReleaseAnswer(url);
  }

  /**
   * The check, while the client still waits for the delivery: once its request has ended (timed
   * out, aborted), before the check or during it, the slice is not checked further and fails.
   */
  async #checkWhileWaited(
    req: Request,
    res: Response,
    check: SliceCheck,
  ): Promise<Omit<CheckedSlice, 'released'>> {
    const checked = req.signal.aborted ? undefined : await this.#check(res, check);
    if (checked && !req.signal.aborted) return checked;
    const reason = `the request for ${req.url} ended (timed out or aborted) before its slice was checked: the hold is canceled, nothing is paid`;
    return { ok: false, reason, ...(checked?.call ? { call: checked.call } : {}) };
  }

  /** Reads the slice from a copy of the delivery and, when it lives long enough, makes its first call at the check URL. */
  async #check(res: Response, check: SliceCheck): Promise<Omit<CheckedSlice, 'released'>> {
    const within = { clock: this.#d.clock, ms: CHECK_TIMEOUT_MS };
    const body = await readBody(res.clone(), SLICE_BODY_LIMIT, within);
    let slice: DelegatedToken | undefined;
    try {
      slice = body.ok ? parseSlice(JSON.parse(new TextDecoder().decode(body.bytes))) : undefined;
    } catch {
      slice = undefined;
    }
    if (!slice) return { ok: false, reason: 'the reseller answered without a usable slice' };
    const { name, node, clock, logger } = this.#d;
    // A store of its own: the check calls with this slice, not with whatever the sub-agent holds.
    // Adopting refuses a macaroon not bound to the body's service alone (`serviceMismatch`): the
    // limits read below are then the ones the origin enforces.
    const tokens = new MemoryTokenStore();
    let expiresMs: number | undefined;
    try {
      await adoptToken(tokens, slice, clock);
      expiresMs = earliestExpiryMs(slice.macaroon);
    } catch (err) {
      return { ok: false, reason: `the reseller's slice is unusable: ${(err as Error).message}` };
    }
    const minLifeSec = check.minLifeSec ?? DEFAULT_MIN_SLICE_LIFE_SEC;
    const dying = shortLived(expiresMs, clock.now(), minLifeSec);
    if (dying) return { ok: false, reason: dying };
    const client = createL402Client({
      node,
      fetch: this.#d.fetch,
      clock,
      tokens,
      buyer: name,
      ...(logger ? { logger } : {}),
    });
    const call = await client.purchase(check.url, check.init ?? {}, { reuseOnly: true, buyer: name });
    if (call.outcome === 'success') {
      const short = shortOfSold(slice, call);
      return short ? { ok: false, call, reason: short } : { ok: true, call };
    }
    const why = `${call.outcome}${call.reason ? `: ${call.reason}` : ''}`;
    return { ok: false, call, reason: `the slice failed its first call at ${check.url} (${why})` };
  }
}

/** The hold's payment hash of a pay-on-success retry (its payer key and hold credential), else undefined. */
function holdPaymentHash(req: Request): string | undefined {
  if (!req.headers.has(PAYER_KEY_HEADER)) return undefined;
  const macaroon = parseHoldAuthorization(req.headers.get('authorization') ?? undefined);
  if (macaroon === undefined) return undefined;
  try {
    return paymentHashOfToken(macaroon);
  } catch {
    return undefined;
  }
}
