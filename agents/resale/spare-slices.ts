import { pathWithin } from '../../infra/l402/index.js';
import type { Clock } from '../../infra/time/clock.js';
import { tokenUsable, type TokenStore } from '../l402/index.js';
import { adoptToken, type DelegatedToken } from './delegate.js';

/**
 * Slices bought ahead: adopted into the token store one at a time, as each
 * runs out. A token store holds one token per scope, so a second slice bought
 * while the first still has calls left waits here instead of replacing (and
 * wasting) it.
 */
export class SpareSlices {
  readonly #spare: { slice: DelegatedToken; used: number }[] = [];
  constructor(
    readonly tokens: TokenStore,
    readonly clock: Clock,
  ) {}

  /** Adopts the slice (`used` calls already made with it), or keeps it while the held token for its scope still works. */
  async hold(slice: DelegatedToken, used = 0): Promise<void> {
    const held = this.tokens.get(slice.origin, slice.pathPrefix ?? '/');
    if (held && held.pathPrefix === (slice.pathPrefix ?? '/') && tokenUsable(held, this.clock.now()))
      this.#spare.push({ slice, used });
    else await adoptToken(this.tokens, slice, this.clock, used);
  }

  /** Adopts the next unexpired spare slice covering `url`; false when none is left. */
  async next(url: string): Promise<boolean> {
    const { origin, pathname } = new URL(url);
    for (;;) {
      const i = this.#spare.findIndex(
        ({ slice: t }) => t.origin === origin && pathWithin(pathname, t.pathPrefix ?? '/'),
      );
      if (i < 0) return false;
      const [{ slice, used }] = this.#spare.splice(i, 1) as [{ slice: DelegatedToken; used: number }];
      if (slice.validUntilMs !== undefined && this.clock.now() >= slice.validUntilMs) continue;
      await adoptToken(this.tokens, slice, this.clock, used);
      return true;
    }
  }
}
