import { readBody, withBody } from '../../infra/http/bounded-body.js';
import type { Clock } from '../../infra/time/clock.js';
import { bodyTime } from './context.js';
import type { PurchaseResult } from './outcome.js';
import { sellerCode } from './paywall-response.js';
import type { Run } from './purchase-run.js';

/** The limits any body a client hands back is read within (the engine's `maxBodyBytes`, and `requestTimeoutMs` on its clock). */
export interface BodyLimits {
  maxBodyBytes: number;
  requestTimeoutMs: number;
  clock: Clock;
}

/** Reads an answer's body within the limits: the same answer, readable from memory, or why not (the body is cancelled). */
export async function readAnswer(
  res: Response,
  limits: BodyLimits,
): Promise<{ ok: true; response: Response } | { ok: false; reason: string }> {
  const body = await readBody(res, limits.maxBodyBytes, bodyTime(limits));
  if (body.ok) return { ok: true, response: withBody(res, body.bytes) };
  const why = {
    too_large: `its body is over ${limits.maxBodyBytes} bytes`,
    too_slow: `its body did not arrive within ${limits.requestTimeoutMs} ms`,
    unreadable: 'its body could not be read',
  }[body.problem];
  return { ok: false, reason: why };
}

/**
 * A failed purchase's answer (the seller's error, a 429, an answer without a
 * challenge) read within the limits, so a caller reading it can neither hang
 * nor run out of memory; beyond them the answer is dropped and the reason
 * says why. A success's body was read within them already.
 */
export async function withBoundedAnswer<R extends PurchaseResult>(r: R, limits: BodyLimits): Promise<R> {
  if (r.outcome === 'success' || !r.response) return r;
  const read = await readAnswer(r.response, limits);
  if (read.ok) {
    const refusal = r.refusal ?? (await errorCode(read.response));
    return { ...r, response: read.response, ...(refusal ? { refusal } : {}) };
  }
  const { response: _dropped, ...rest } = r;
  return { ...rest, reason: `${r.reason ?? `HTTP ${r.status}`}; ${read.reason}` } as R;
}

/** The error code of a seller's JSON answer (`{"error":"credit_exhausted",…}`), if it is one (`sellerCode`). */
async function errorCode(res: Response): Promise<string | undefined> {
  try {
    return sellerCode(((await res.clone().json()) as { error?: unknown })?.error);
  } catch {
    return undefined;
  }
}

/** A probe answered without a challenge: the answer itself (a success read within the limits, or the seller's error). */
export async function openResult(
  run: Run,
  res: Response,
  at: number,
  clock: Clock,
  limits: BodyLimits,
): Promise<PurchaseResult> {
  const reason = `HTTP ${res.status} without a payment challenge`;
  const read = res.status < 300 ? await readAnswer(res, limits) : undefined;
  run.timings.consumeMs = clock.now() - at;
  if (read?.ok) return run.done({ outcome: 'success', response: read.response, status: res.status }, clock);
  if (read)
    return run.fail(
      { ok: false, outcome: 'seller_error', reason: `${reason}; ${read.reason}`, status: res.status },
      clock,
    );
  const outcome = res.status === 429 ? 'rate_limited' : 'seller_error';
  return run.fail({ ok: false, outcome, reason, status: res.status, response: res }, clock);
}
