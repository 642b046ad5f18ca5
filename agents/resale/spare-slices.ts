import { pathWithin, requestPath } from '../../infra/l402/index.js';
import type { Clock } from '../../infra/time/clock.js';
import { tokenUsable, type StoredToken, type TokenStore } from '../l402/index.js';
import { adoptedScope, adoptToken, type DelegatedToken } from './delegate.js';

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

  /**
   * After the token sent for `url` (macaroon `spent`) ran out: adopts the next unexpired spare
   * covering `url`, drops the held tokens for `url` that are used up or expired (so one of a wider
   * scope serves it), and says whether a usable token other than the spent one now covers `url`.
   */
  async next(url: string, spent?: string): Promise<boolean> {
    const u = new URL(url);
    // The path as the engine keys held tokens by it (escapes decoded, `requestPath`).
    const [origin, pathname] = [u.origin, requestPath(u.href)];
    await this.#adoptSpare(origin, pathname);
    const now = this.clock.now();
    for (let t = this.tokens.get(origin, pathname); t?.state === 'paid' && !tokenUsable(t, now);) {
      await this.tokens.evict(t.origin, t.pathPrefix, t.paymentHash);
      const after = this.tokens.get(origin, pathname);
      // A store that kept it: stop rather than spin.
      t = after === t ? undefined : after;
    }
    const held = this.tokens.get(origin, pathname);
    return held !== undefined && tokenUsable(held, now) && held.macaroon !== spent;
  }

  /**
   * Adopts spares covering `pathname` at `origin` until one is usable, each only where the held
   * token of its scope is not (that one is spent first); false when none is left.
   */
  async #adoptSpare(origin: string, pathname: string): Promise<boolean> {
    for (;;) {
      const i = this.#spare.findIndex(
        (s) => s.slice.origin === origin && pathWithin(pathname, s.scope) && !this.#working(origin, s.scope),
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
