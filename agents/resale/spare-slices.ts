import { pathWithin, requestPath } from '../../infra/l402/index.js';
import type { Clock } from '../../infra/time/clock.js';
import {
  bindingOf,
  type L402Client,
  type PurchaseHints,
  type PurchaseResult,
  outsideBinding,
  tokenCovers,
  tokenUsable,
  type StoredToken,
  type TokenStore,
} from '../l402/index.js';
import { adoptedScope, adoptToken } from './adopt-token.js';
import type { DelegatedToken } from './delegate.js';

/** A token waiting for the held one of its scope to run out. */
interface Spare {
  slice: DelegatedToken;
  scope: string;
  used: number;
}

/**
 * Tokens held ahead (slices bought, tokens handed down): adopted into the
 * token store one at a time, as each runs out. A token store holds one token
 * per scope, so a second token for a scope whose held token still has calls
 * left waits here instead of replacing (and wasting) it.
 */
export class SpareSlices {
  readonly #spare: Spare[] = [];
  constructor(
    readonly tokens: TokenStore,
    readonly clock: Clock,
  ) {}

  /**
   * Adopts the token (`used` calls already made with it) at its scope (`adoptedScope`), or keeps it
   * while the held token of that scope still works: the token adopted, or undefined when kept.
   */
  async hold(slice: DelegatedToken, used = 0): Promise<StoredToken | undefined> {
    const scope = adoptedScope(slice);
    if (this.#working(slice.origin, scope)) {
      this.#spare.push({ slice, scope, used });
      return undefined;
    }
    return adoptToken(this.tokens, slice, this.clock, used);
  }

  /** Tokens waiting as spares. */
  get size(): number {
    return this.#spare.length;
  }

  /**
   * After the token sent for `method url` (macaroon `spent`) ran out: adopts the next unexpired spare
   * allowing the request, drops the held tokens allowing it that are used up or expired (so one of a
   * wider scope serves it), and says whether a usable token other than the spent one now allows it.
   * Tokens are looked up as the client looks them up (`TokenStore.get` with the method): one whose
   * method or path caveats exclude the request is no answer to it.
   */
  async next(url: string, method: string, spent?: string): Promise<boolean> {
    const { origin, pathname } = where(url);
    await this.#adoptSpare(origin, pathname, method);
    const now = this.clock.now();
    for (let t = this.tokens.get(origin, pathname, method); t?.state === 'paid' && !tokenUsable(t, now);) {
      await this.tokens.evict(t.origin, t.pathPrefix, t.paymentHash);
      const after = this.tokens.get(origin, pathname, method);
      // A store that kept it: stop rather than spin.
      t = after === t ? undefined : after;
    }
    const held = this.tokens.get(origin, pathname, method);
    return held !== undefined && tokenUsable(held, now) && held.macaroon !== spent;
  }

  /**
   * Why no token held allows `method url` though a usable one is held for its path: that token's
   * method or path caveats exclude the request (read as the origin's verifier reads them); else undefined.
   */
  excluded(url: string, method: string): string | undefined {
    const { origin, pathname } = where(url);
    const t = this.tokens.get(origin, pathname);
    if (!t || !tokenUsable(t, this.clock.now())) return undefined;
    const binding = bindingOf(t);
    const why = binding && outsideBinding(binding, method, pathname);
    return why && `the token held for ${t.pathPrefix} has calls left but ${why}`;
  }

  /**
   * Adopts spares allowing `method pathname` at `origin` until one is usable, each only where the
   * held token of its scope is not (that one is spent first); false when none is left.
   */
  async #adoptSpare(origin: string, pathname: string, method: string): Promise<boolean> {
    for (;;) {
      const i = this.#spare.findIndex(
        (s) =>
          s.slice.origin === origin &&
          pathWithin(pathname, s.scope) &&
          tokenCovers(s.slice, method, pathname) &&
          !this.#working(origin, s.scope),
      );
      if (i < 0) return false;
      const [{ slice, used }] = this.#spare.splice(i, 1) as [Spare];
      // An expired one is replaced by the next, or dropped by `next`.
      if (tokenUsable(await adoptToken(this.tokens, slice, this.clock, used), this.clock.now())) return true;
    }
  }

  /** Whether the token held at exactly `scope` still works. */
  #working(origin: string, scope: string): boolean {
    const held = this.tokens.get(origin, scope);
    return held?.pathPrefix === scope && tokenUsable(held, this.clock.now());
  }
}

/** A URL's origin and its path as the engine keys held tokens by it (escapes decoded, `requestPath`). */
function where(url: string): { origin: string; pathname: string } {
  const u = new URL(url);
  return { origin: u.origin, pathname: requestPath(u.href) };
}

/**
 * Calls with the held token; when it ran out (nothing served), moves to the next token held that
 * allows the request. Each round moves to another token, so there are at most as many rounds as
 * tokens held, plus one: a store that disagrees with `next` ends the call rather than spinning.
 */
export async function callWithSpares(
  client: L402Client,
  spare: SpareSlices,
  who: Pick<PurchaseHints, 'buyer' | 'tag'>,
  url: string,
  init?: RequestInit,
): Promise<PurchaseResult> {
  const method = (init?.method ?? 'GET').toUpperCase();
  const rounds = spare.size + spare.tokens.list().length + 1;
  for (let round = 1; ; round++) {
    const r = await client.purchase(url, init, { reuseOnly: true, ...who });
    if (!ranOut(r)) return r;
    if (round >= rounds)
      return stopped(
        r,
        `${round} tokens were tried in turn and none took the call (${r.reason ?? r.outcome})`,
      );
    if (!(await spare.next(url, method, r.macaroon))) {
      const excluded = r.outcome === 'policy_denied' ? spare.excluded(url, method) : undefined;
      return excluded ? stopped(r, `no token held allows ${method} ${url}: ${excluded}`) : r;
    }
    await r.response?.body?.cancel();
  }
}

/** A call that ended with no token to send, saying why (`why`): a sub-agent never buys at the origin. */
function stopped(r: PurchaseResult, why: string): PurchaseResult {
  return { ...r, reason: `${why}; a sub-agent calls only with the tokens it holds` };
}

/**
 * Whether the call failed because the token for its URL ran out, so another may serve it: none was
 * held that allows the request, or it was used up or expired by the sub-agent's count or the origin's
 * (`refusal`). A refusal for any other reason (another service's route) would refuse the next token
 * too, so it ends the call.
 */
function ranOut(r: PurchaseResult): boolean {
  if (r.outcome === 'token_refused') return r.refusal === 'quota_exhausted' || r.refusal === 'expired';
  return r.outcome === 'quota_exhausted' || r.outcome === 'policy_denied' || r.outcome === 'token_rejected';
}
