/**
 * The reseller's own look at a bundle its buyers' cancels call dead. A cancel is its buyer's word
 * alone (free, and unverifiable), so a run of them only makes the reseller ask the origin: one call
 * with a fresh 1-call copy of the bundle at the upstream URL. The paywall answers no question about a
 * token without counting a call, so the probe spends one: the copy's first call takes it from the
 * bundle's counter, as a slice's takes the slice's calls.
 */
import { prepareRequest, sellerCode, type PurchaseResult, type StoredToken } from '../l402/index.js';
import { delegate } from './delegate.js';
import type { ResellerOptions } from './reseller-options.js';

/** What the origin said of a bundle: `spent` when it refused the copy's call, with why. */
export interface BundleProbe {
  spent: boolean;
  /** False when the origin gave no answer (none within the probe's time, or the request failed). */
  answered: boolean;
  /** The origin's answer, as the reseller logs it. */
  answer: string;
  /** The call as a purchase record: a held token's call (`tokenReused`, nothing paid) at the upstream URL. */
  call: PurchaseResult;
}

/**
 * Calls the upstream URL once with a 1-call copy of `bundle` (named `id`, so it counts apart from
 * the slices), its request tagged `tag` (`PreparedRequest.tag`, which the client's `onEvent` hears),
 * waiting at most `timeoutMs` for the answer (and the client's own request timeout).
 * `spent` when the origin refused the copy's credential (401/402: `quota_exhausted`
 * when the bundle's calls are all taken by earlier copies, `expired`, or any refusal its slices,
 * which carry the same chain, would meet too); a served call, a 5xx or a 429 leave the bundle on
 * sale; no answer says nothing of it (`answered` false). The call is the caller's to count on the bundle.
 */
export async function probeBundle(
  o: ResellerOptions,
  bundle: StoredToken,
  { id, tag, timeoutMs }: { id: string; tag: string; timeoutMs: number },
): Promise<BundleProbe> {
  const copy = delegate(
    { origin: bundle.origin, macaroon: bundle.macaroon, preimage: bundle.preimage!, service: bundle.service },
    { id, calls: 1 },
    { clock: o.clock },
  );
  // Sent as a held token the store does not keep (its counts change this object only), at the
  // bundle's scope: a refusal drops the bundle from the store, as retiring it does.
  const token: StoredToken = { ...bundle, macaroon: copy.macaroon, maxCalls: 1, callsUsed: 1 };
  const abort = new AbortController();
  const req = await prepareRequest(o.upstream.url, { signal: abort.signal }, tag);
  const startedAt = o.clock.now();
  const stop = o.clock.setTimer(timeoutMs, () => abort.abort(new Error(`no answer within ${timeoutMs} ms`)));
  const d = await o.client.engine.deliver(req, token, { claim: false, step: 'reuse' }).finally(stop);
  const endedAt = o.clock.now();
  const held = {
    paidMsat: 0,
    feeMsat: 0,
    hops: 0,
    requests: 1,
    tokenReused: true,
    paymentHash: bundle.paymentHash,
    macaroon: copy.macaroon,
    timings: { startedAt, endedAt, consumeMs: endedAt - startedAt },
  };
  if (d.kind === 'rejected') {
    const { status, reason } = d.answer;
    const answer = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
    const refusal = sellerCode(reason);
    const call = { ...held, outcome: d.outcome, reason: answer, status, ...(refusal && { refusal }) };
    return { spent: true, answered: true, answer, call };
  }
  if (d.kind === 'failed') {
    await d.response?.body?.cancel();
    const call = {
      ...held,
      outcome: d.outcome,
      reason: d.reason,
      ...(d.status !== undefined && { status: d.status }),
    };
    return { spent: false, answered: d.status !== undefined, answer: d.reason, call };
  }
  return {
    spent: false,
    answered: true,
    answer: `HTTP ${d.status}`,
    call: { ...held, outcome: 'success', status: d.status },
  };
}
