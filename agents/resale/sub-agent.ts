import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { Clock } from '../../infra/time/clock.js';
import {
  createL402Client,
  MemoryTokenStore,
  type L402Client,
  type L402ClientOptions,
  type PurchaseHints,
  type PurchaseResult,
  type StoredToken,
  type TokenStore,
} from '../l402/index.js';
import { budgetWindow, type PaymentPolicy } from '../policies/index.js';
import { parseSlice, type DelegatedToken } from './delegate.js';
import { SliceChecker, type CheckedSlice, type SliceCheck } from './slice-check.js';
import { NO_BUYER_RELEASE, noBuyerReleaseReason } from './slice-release.js';
import { badMinLife } from './slice-terms.js';
import { callWithSpares, SpareSlices } from './spare-slices.js';

/** A sub-agent's parts. */
export interface SubAgentOptions {
  name: string;
  node: LightningNode;
  fetch: typeof fetch;
  clock: Clock;
  /** Total it may spend buying slices (default: no limit unless `policy` is given). */
  budgetMsat?: Msat;
  policy?: PaymentPolicy;
  tokens?: TokenStore;
  logger?: Logger;
  /** Told each step of each purchase with its tag (`PurchaseHints.tag`), as the L402 client's `onEvent`. */
  onEvent?: L402ClientOptions['onEvent'];
}

/** A slice purchase: the payment to the reseller, the slice, and the slice's first call when it was checked. */
export interface SliceBuy {
  /**
   * `slice_refused` when the slice failed its check (the hold was canceled, nothing paid, unless the
   * reseller settled it anyway: then `paidMsat` > 0 and the reason says so) or when the reseller offers no
   * buyer release for the check (refusal `no_buyer_release`, nothing paid).
   */
  result: PurchaseResult;
  slice?: DelegatedToken;
  /** The check's call at the origin (the slice's first call), made before the payment settled. */
  check?: PurchaseResult;
}

/** A sub-agent: lives on tokens handed down or bought as slices, calls the origin with them. */
export interface SubAgent {
  readonly name: string;
  readonly client: L402Client;
  /**
   * Buys a slice from a reseller (pay-on-success) and adopts it. With `check`,
   * the payment settles only if the slice's macaroon lives `check.minLifeSec`
   * more (default 60) and its first call at `check.url` succeeds (buyer
   * release); otherwise the hold is canceled and the purchase ends as
   * `slice_refused`. A reseller whose 402 offers no buyer release is not paid
   * (`slice_refused`, refusal `no_buyer_release`); one that offered it but
   * settled without waiting for the verdict has its slice checked after
   * payment: a failed check is `slice_refused` with the money paid.
   */
  buySlice(sliceUrl: string, hints?: PurchaseHints, check?: SliceCheck): Promise<SliceBuy>;
  /**
   * Adopts a token handed down by a parent: the token adopted, or undefined when it waits as a
   * spare behind a held token of its scope that still has calls.
   */
  receive(token: DelegatedToken): Promise<StoredToken | undefined>;
  /**
   * Calls the origin with the tokens it holds; never buys there (`reuseOnly`).
   * When the token in use is spent (used up, expired, or refused by the origin as such), the next
   * token held that allows the request (its method and path caveats) takes its place: a spare of its
   * scope, else a held one of a wider scope. When the token held for the URL excludes the request,
   * the call ends `policy_denied` naming the caveat. `tag` labels the purchase for `onEvent`.
   */
  call(url: string, init?: RequestInit, tag?: string): Promise<PurchaseResult>;
}

/**
 * Creates a sub-agent with its own node, client and budget.
 *
 * @example
 * const sub = createSubAgent({ name: 's1', node, fetch, clock, budgetMsat: 20_000 });
 * await sub.buySlice('http://reseller.test/slice', {}, { url: 'http://origin.test/v1/data' });
 * const r = await sub.call('http://origin.test/v1/data');
 */
export function createSubAgent(o: SubAgentOptions): SubAgent {
  const tokens = o.tokens ?? new MemoryTokenStore();
  const policy =
    o.policy ??
    (o.budgetMsat !== undefined ? budgetWindow({ limitMsat: o.budgetMsat }, { clock: o.clock }) : undefined);
  const checker = new SliceChecker({
    name: o.name,
    node: o.node,
    fetch: o.fetch,
    clock: o.clock,
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const client = createL402Client({
    node: o.node,
    fetch: checker.fetch,
    clock: o.clock,
    tokens,
    buyer: o.name,
    ...(policy ? { policy } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
  const spare = new SpareSlices(tokens, o.clock);

  async function buySlice(
    sliceUrl: string,
    hints: PurchaseHints = {},
    check?: SliceCheck,
  ): Promise<SliceBuy> {
    const bad =
      badUrl('slice', sliceUrl) ?? (check && (badUrl('check', check.url) ?? badMinLife(check.minLifeSec)));
    if (bad) return { result: badRequest(bad, o.clock) };
    // The purchase's own requests carry its check: no other purchase of the URL meets it.
    const expected = check ? checker.expect(check) : undefined;
    const init = expected ? { headers: expected.headers } : {};
    let result: PurchaseResult | undefined;
    let checked: CheckedSlice | undefined;
    try {
      result = await client.purchase(sliceUrl, init, { payOnSuccess: true, buyer: o.name, ...hints });
    } finally {
      checked = expected?.end(result?.paymentHash);
    }
    if (check && result.refusal === NO_BUYER_RELEASE && result.paidMsat === 0)
      return { result: { ...result, outcome: 'slice_refused', reason: noBuyerReleaseReason(sliceUrl) } };
    // Delivered without the verdict the check asked for: checked now, after the payment.
    if (check && !checked && result.outcome === 'success' && result.response)
      checked = await checker.checkDelivered(result.response, check);
    return adoptDelivered(spare, result, checked);
  }

  return {
    name: o.name,
    client,
    buySlice,
    receive: (t) => spare.hold(t),
    call: (url, init, tag) => callWithSpares(client, spare, { buyer: o.name, tag }, url, init),
  };
}

/** Adopts the delivered slice, or says why there is none (`checked`: what the check found, if one ran). */
async function adoptDelivered(
  spare: SpareSlices,
  result: PurchaseResult,
  checked: CheckedSlice | undefined,
): Promise<SliceBuy> {
  const first = checked?.call ? { check: checked.call } : {};
  if (checked && !checked.ok)
    return {
      result: { ...result, outcome: 'slice_refused', reason: refusedReason(result, checked) },
      ...first,
    };
  if (result.outcome !== 'success' || !result.response) return { result, ...first };
  let slice: DelegatedToken | undefined;
  try {
    slice = parseSlice(await result.response.json());
  } catch {
    slice = undefined;
  }
  const notDelivered = (reason: string): SliceBuy => ({
    result: { ...result, outcome: 'not_delivered', reason },
    ...first,
  });
  if (!slice) return notDelivered('the reseller answered without a usable slice');
  try {
    // The check made the slice's first call.
    await spare.hold(slice, checked ? 1 : 0);
  } catch (err) {
    // The macaroon is not one the origin's verifier would read: no slice was delivered.
    return notDelivered(`the reseller's slice is unusable: ${(err as Error).message}`);
  }
  return { result, slice, ...first };
}

/**
 * Why a slice that failed its check was refused; a payment that settled anyway says so first: the
 * reseller did not keep it for the verdict, or its node settled the hold the buyer canceled.
 */
function refusedReason(result: PurchaseResult, checked: CheckedSlice): string | undefined {
  if (result.paidMsat === 0) return checked.reason;
  const why = checked.afterPayment
    ? `the reseller settled the payment without waiting for the buyer's check (its answer had no L402-Release: pending)`
    : `the reseller settled the hold the buyer canceled (a payee can always settle its own hold invoice)`;
  return `paid ${result.paidMsat} msat for a slice that failed its check: ${why}; do not buy from this reseller again. ${checked.reason ?? ''}`.trim();
}

/** Why the `what` URL is not one to send (not an absolute URL), or undefined. */
function badUrl(what: 'slice' | 'check', url: string): string | undefined {
  if (URL.canParse(url)) return undefined;
  return `the ${what} URL ${JSON.stringify(url.slice(0, 200))} is not an absolute URL: nothing was bought; pass one such as http://host/path`;
}

/** A `bad_request` result: nothing sent, nothing paid, `reason` says why. */
function badRequest(reason: string, clock: Clock): PurchaseResult {
  const now = clock.now();
  return {
    outcome: 'bad_request',
    reason,
    paidMsat: 0,
    feeMsat: 0,
    hops: 0,
    requests: 0,
    tokenReused: false,
    timings: { startedAt: now, endedAt: now },
  };
}
