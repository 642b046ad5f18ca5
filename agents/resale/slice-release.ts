import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import { NO_REDIRECTS } from '../../infra/http/redirect.js';
import {
  headerFlag,
  PAY_ON_SUCCESS_HEADER,
  PAYER_KEY_HEADER,
  RELEASE_HEADER,
} from '../../services/paywall/index.js';

/**
 * Buyer release, the buyer's side: whether a reseller's 402 offers it, the
 * answer a checked slice purchase gets in place of a 402 that does not (so
 * nothing is paid), and the verdict sent once the slice was checked.
 */

/** The error code of the answer standing in for a 402 that offers no buyer release (`PurchaseResult.refusal`). */
export const NO_BUYER_RELEASE = 'no_buyer_release';

/** Most time, on the checker's clock, for a verdict request. */
const VERDICT_TIMEOUT_MS = 30_000;
/** Verdicts sent at most this often when the reseller answers 503, one second apart (its Retry-After). */
const VERDICT_ATTEMPTS = 3;
const VERDICT_RETRY_MS = 1_000;

/**
 * True when a 402 sells a hold invoice whose payment the seller keeps for the
 * buyer's verdict when asked: `L402-Pay-On-Success: 1` and `L402-Release: buyer`.
 */
export function offersBuyerRelease(res: Response): boolean {
  const release = res.headers.get(RELEASE_HEADER)?.trim().toLowerCase();
  return headerFlag(res.headers.get(PAY_ON_SUCCESS_HEADER) ?? undefined) && release === 'buyer';
}

/** Why a checked slice from `url` was not bought: its reseller's 402 offers no buyer release. */
export function noBuyerReleaseReason(url: string): string {
  return (
    `the reseller at ${url} does not offer buyer release (its 402 has no ${RELEASE_HEADER}: buyer with ` +
    `${PAY_ON_SUCCESS_HEADER}: 1), so the slice could not be checked before its payment settled: ` +
    'nothing was paid; buy from a reseller that offers it, or buy without a check to take the slice unchecked'
  );
}

/** The answer the sub-agent's client gets instead of such a 402: not a challenge, so it pays nothing. */
export function noBuyerReleaseAnswer(url: string): Response {
  return Response.json({ error: NO_BUYER_RELEASE, message: noBuyerReleaseReason(url) }, { status: 409 });
}

/** What sending a verdict needs. */
export interface VerdictDeps {
  fetch: typeof fetch;
  clock: Clock;
  logger?: Logger;
}

/**
 * Sends the verdict as a retry of the same hold (same macaroon, same payer
 * key); a 503 (the reseller's node did not answer) is sent again after its
 * Retry-After, up to `VERDICT_ATTEMPTS` times. False when never taken.
 */
export async function sendRelease(
  d: VerdictDeps,
  req: Request,
  verdict: 'settle' | 'cancel',
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const status = await sendVerdict(d, req, verdict);
    if (status !== undefined && status >= 200 && status < 300) return true;
    if (status !== 503 || attempt >= VERDICT_ATTEMPTS) {
      d.logger?.warn({ url: req.url, status, verdict, attempt }, 'slice verdict not taken');
      return false;
    }
    await d.clock.sleep(VERDICT_RETRY_MS);
  }
}

/** One verdict request: its status (a redirect's too: not followed, not taken), or undefined when it got no answer. */
async function sendVerdict(
  d: VerdictDeps,
  req: Request,
  verdict: 'settle' | 'cancel',
): Promise<number | undefined> {
  const headers = new Headers({ [RELEASE_HEADER]: verdict });
  for (const h of ['authorization', PAYER_KEY_HEADER]) headers.set(h, req.headers.get(h) ?? '');
  const abort = new AbortController();
  const cancelTimer = d.clock.setTimer(VERDICT_TIMEOUT_MS, () => abort.abort());
  try {
    const res = await d.fetch(
      new Request(req.url, { method: req.method, headers, signal: abort.signal, ...NO_REDIRECTS }),
    );
    await res.body?.cancel();
    return res.status;
  } catch (err) {
    d.logger?.warn({ err, url: req.url, verdict }, 'slice verdict not sent');
    return undefined;
  } finally {
    cancelTimer();
  }
}
