import type { Context } from 'hono';
import type { TokenFacts } from '../../infra/l402/index.js';
import { giveBack, giveBackNotRun, wasNotRun } from './give-back.js';
import { emit } from './respond.js';
import type { PaywallState } from './state.js';

/** One counted call's give-back, decided once (see give-back.ts). */
export interface CallGiveBack {
  /**
   * After the handler: gives the call back when it was refused before the handler ran, failed (a 5xx,
   * a throw) or, prepaid, its request was aborted meanwhile, unless decided already; then stops
   * watching the request. True when given back (the answer says the count with it).
   */
  answered(): Promise<boolean>;
}

/**
 * Follows a call the quota counted, from before its handler runs. A prepaid call whose request's
 * signal aborts before the paywall hands its answer on (@hono/node-server aborts it when the
 * client's connection closes, a FIN after the request included, or when a server's close grace
 * ends and cuts it; the embedded world's `fetch` when the caller's signal aborts) never got its
 * answer: its call goes back at once, handler still running or not, within `maxCallsGivenBack` like
 * a 5xx's, and a `given_back` event (`reason: "request_aborted"`) says so. A signal aborting after
 * that finds the answer gone out and gives nothing back. A pay-on-success retry (`prepaid` false)
 * is not watched: its hold is refunded instead (pay-on-success.ts).
 */
export function followCall(p: PaywallState, c: Context, facts: TokenFacts, prepaid: boolean): CallGiveBack {
  let decided: Promise<boolean> | undefined;
  const decide = (aborted: boolean) => (decided ??= decideGiveBack(p, c, facts, aborted));
  const signal = c.req.raw.signal;
  const onAbort = () => void decide(true);
  if (prepaid && signal.aborted) onAbort();
  else if (prepaid) signal.addEventListener('abort', onAbort, { once: true });
  return {
    async answered() {
      try {
        return await decide(false);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

/**
 * Whether the call goes back, and gives it back: refused before the handler ran, always; failed or
 * `aborted`, within the bound (none with `releaseQuotaOnServerError: false`). `aborted` is decided
 * while the handler may still run: its answer is not read then.
 */
async function decideGiveBack(
  p: PaywallState,
  c: Context,
  facts: TokenFacts,
  aborted: boolean,
): Promise<boolean> {
  if (wasNotRun(c)) return giveBackNotRun(p, facts);
  if (!p.releaseQuotaOnServerError) return false;
  if (!aborted && c.error === undefined && c.res.status < 500) return false;
  const back = await giveBack(p, facts);
  if (back && aborted)
    emit(p, c, {
      type: 'given_back',
      reason: 'request_aborted',
      tokenId: facts.tokenId,
      paymentHash: facts.paymentHash,
    });
  return back;
}
