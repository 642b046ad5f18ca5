import { paymentHashOfToken } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import { PAYER_KEY_HEADER, RELEASE_HEADER, parseHoldAuthorization } from '../../services/paywall/index.js';
import { readBody } from '../../infra/http/bounded-body.js';
import { createL402Client, MemoryTokenStore, type PurchaseResult } from '../l402/index.js';
import { adoptToken, type DelegatedToken } from './delegate.js';
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

/**
 * Buyer-released slices. `fetch` goes under the sub-agent's L402 client. A
 * 402 for a slice it expects that does not offer buyer release (a hold invoice
 * with `L402-Release: buyer`) never reaches the client: it gets a 409
 * `no_buyer_release` instead and pays nothing. A pay-on-success retry for a
 * slice it expects asks the reseller for buyer release
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
  readonly #checks = new Map<string, SliceCheck[]>();
  readonly #results = new Map<string, CheckedSlice>();

  constructor(deps: SliceCheckerDeps) {
    this.#d = deps;
  }

  /**
   * Expects a slice bought from `sliceUrl`, checked with `check`; returns the function ending the wait.
   * A `sliceUrl` that is not an absolute URL is not expected (the client refuses it before sending).
   */
  expect(sliceUrl: string, check: SliceCheck): () => void {
    if (!URL.canParse(sliceUrl)) return () => {};
    const key = new URL(sliceUrl).href;
    const list = this.#checks.get(key) ?? [];
    list.push(check);
    this.#checks.set(key, list);
    return () => {
      list.splice(list.indexOf(check), 1);
      if (list.length === 0) this.#checks.delete(key);
    };
  }

  /** The check of the slice paid under `paymentHash` (once), or undefined when none ran. */
  take(paymentHash: string): CheckedSlice | undefined {
    const r = this.#results.get(paymentHash);
    this.#results.delete(paymentHash);
    return r;
  }

  /** The sub-agent client's transport: passes everything through (its `redirect: 'manual'` kept), checking expected slices. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // The client sends `fetch(url, init)` or `fetch(request, init)`: read the request either way.
    const req = new Request(input, init);
    const expected = this.#expected(req);
    if (!expected)
      return this.#checks.has(req.url)
        ? this.#offered(req.url, await this.#d.fetch(input, init))
        : this.#d.fetch(input, init);
    req.headers.set(RELEASE_HEADER, 'buyer');
    const res = await this.#d.fetch(req);
    const ok2xx = res.status >= 200 && res.status < 300;
    if (!ok2xx || res.headers.get(RELEASE_HEADER)?.trim().toLowerCase() !== 'pending') return res;
    const checked = await this.#checkWhileWaited(req, res, expected.check);
    const released = await sendRelease(this.#d, req, checked.ok ? 'settle' : 'cancel');
    this.#results.set(expected.paymentHash, { ...checked, released });
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

  /** The check for a pay-on-success retry of an expected slice URL, with the hold's payment hash. */
  #expected(req: Request): { check: SliceCheck; paymentHash: string } | undefined {
    const check = this.#checks.get(req.url)?.[0];
    if (!check || !req.headers.has(PAYER_KEY_HEADER)) return undefined;
    const macaroon = parseHoldAuthorization(req.headers.get('authorization') ?? undefined);
    if (macaroon === undefined) return undefined;
    try {
      return { check, paymentHash: paymentHashOfToken(macaroon) };
    } catch {
      return undefined;
    }
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

/** Checks the shape of a slice from an untrusted reseller. */
export function parseSlice(body: unknown): DelegatedToken | undefined {
  const b = body as Record<string, unknown>;
  const str = (k: string) => typeof b?.[k] === 'string';
  if (!str('origin') || !str('service') || !str('macaroon') || !str('preimage')) return undefined;
  if (!/^[0-9a-f]{64}$/i.test(b.preimage as string)) return undefined;
  return {
    origin: b.origin as string,
    service: b.service as string,
    macaroon: b.macaroon as string,
    preimage: b.preimage as string,
    ...(Number.isSafeInteger(b.calls) ? { calls: b.calls as number } : {}),
    ...(Number.isSafeInteger(b.validUntilMs) ? { validUntilMs: b.validUntilMs as number } : {}),
    ...(typeof b.pathPrefix === 'string' ? { pathPrefix: b.pathPrefix } : {}),
    ...(str('url') ? { url: b.url as string } : {}),
  };
}
