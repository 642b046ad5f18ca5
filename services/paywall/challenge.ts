import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { Minter } from '../../infra/l402/index.js';
import { caveats, formatChallenge } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import { PAY_ON_SUCCESS_HEADER, RELEASE_HEADER } from './headers.js';
import type { PaywallLoad } from './options.js';
import type { ResolvedTier } from './tier.js';

/** An invoice plus the macaroon bound to its payment hash: what a 402 carries. */
export interface IssuedChallenge {
  token: string;
  tokenId: string;
  invoice: string;
  paymentHash: string;
  priceMsat: number;
  tier: ResolvedTier;
  /** Set for hold invoices: only the seller knows it until it settles. */
  preimage?: string;
  expiresAtMs: number;
}

/** Why no challenge could be issued; the paywall answers 503 (it is the seller's problem, not the buyer's). */
export type IssueFailure = {
  ok: false;
  reason: 'price_unavailable' | 'invoice_unavailable';
  message: string;
};

/** What issuing needs from the paywall. */
export interface IssueDeps {
  node: LightningNode;
  minter: Minter;
  clock: Clock;
  service: string;
  invoiceExpirySec: number;
  secrets: SecretSource;
}

/** Evaluates a tier's price for this request; a bad price (not a positive safe integer) is a failure, not a charge. */
export async function priceOf(
  tier: ResolvedTier,
  c: Context,
  load: PaywallLoad,
): Promise<{ ok: true; priceMsat: number } | IssueFailure> {
  let price: unknown;
  try {
    price = typeof tier.price === 'function' ? await tier.price(c, load) : tier.price;
  } catch (err) {
    return {
      ok: false,
      reason: 'price_unavailable',
      message: `price function threw: ${(err as Error).message}`,
    };
  }
  if (typeof price !== 'number' || !Number.isSafeInteger(price) || price <= 0)
    return {
      ok: false,
      reason: 'price_unavailable',
      message: `price must be a positive integer msat, the price function gave ${String(price)}`,
    };
  return { ok: true, priceMsat: price };
}

/**
 * Creates the invoice (ordinary, or hold when `hold`) on the seller's node and
 * mints a macaroon for its payment hash with the tier's caveats (then
 * `extraCaveats`, such as a negotiated price). Node or key store faults come
 * back as `invoice_unavailable`.
 */
export async function issueChallenge(
  deps: IssueDeps,
  tier: ResolvedTier,
  priceMsat: number,
  hold: boolean,
  extraCaveats: readonly string[] = [],
): Promise<({ ok: true } & IssuedChallenge) | IssueFailure> {
  let invoice: string;
  let paymentHash: string;
  let preimage: string | undefined;
  let expiresAtMs: number;
  try {
    if (hold) {
      const bytes = deps.secrets.bytes(32);
      preimage = Buffer.from(bytes).toString('hex');
      paymentHash = createHash('sha256').update(bytes).digest('hex');
      const inv = await deps.node.createHoldInvoice({
        amountMsat: priceMsat,
        memo: tier.memo,
        expirySec: deps.invoiceExpirySec,
        paymentHash,
      });
      invoice = inv.paymentRequest;
      expiresAtMs = inv.expiresAt;
    } else {
      const inv = await deps.node.createInvoice({
        amountMsat: priceMsat,
        memo: tier.memo,
        expirySec: deps.invoiceExpirySec,
      });
      invoice = inv.paymentRequest;
      paymentHash = inv.paymentHash;
      expiresAtMs = inv.expiresAt;
    }
  } catch (err) {
    return {
      ok: false,
      reason: 'invoice_unavailable',
      message: `the seller's node could not create an invoice: ${(err as Error).message}`,
    };
  }
  const list = [...tier.baseCaveats];
  if (tier.tokenLifetimeSec !== undefined)
    list.push(caveats.validUntil(deps.service, Math.floor(deps.clock.now() / 1000) + tier.tokenLifetimeSec));
  list.push(...extraCaveats);
  try {
    const minted = await deps.minter.mint({ paymentHash, caveats: list });
    return {
      ok: true,
      token: minted.token,
      tokenId: minted.tokenId,
      invoice,
      paymentHash,
      priceMsat,
      tier,
      preimage,
      expiresAtMs,
    };
  } catch (err) {
    return {
      ok: false,
      reason: 'invoice_unavailable',
      message: `could not mint a token: ${(err as Error).message}`,
    };
  }
}

/** What a 402 says besides its challenge. */
export interface ChallengeInfo {
  service: string;
  reason: string;
  message: string;
  /** The invoice is a hold invoice (`L402-Pay-On-Success: 1`). */
  payOnSuccess: boolean;
  /** The paywall keeps a delivered hold for the buyer's verdict when asked (`L402-Release: buyer`, with `payOnSuccess`). */
  buyerRelease?: boolean;
  tiers: ResolvedTier[];
}

/**
 * The 402 response: `WWW-Authenticate` challenge plus a short JSON body saying why. A hold invoice's
 * 402 says so (`L402-Pay-On-Success: 1`) and, when the paywall offers buyer release, `L402-Release: buyer`:
 * a buyer that wants to check what it gets before paying learns before paying whether it can.
 */
export function challengeResponse(c: Context, ch: IssuedChallenge, info: ChallengeInfo): Response {
  const body = {
    error: 'payment_required',
    reason: info.reason,
    message: info.message,
    priceMsat: ch.priceMsat,
    service: info.service,
    tier: ch.tier.tier,
    tierName: ch.tier.name,
    ...(ch.tier.maxCalls !== undefined ? { calls: ch.tier.maxCalls } : {}),
    ...(ch.tier.tokenLifetimeSec !== undefined ? { durationSec: ch.tier.tokenLifetimeSec } : {}),
    ...(info.payOnSuccess ? { payOnSuccess: true } : {}),
    ...(info.tiers.length > 1
      ? {
          tiers: info.tiers.map((t) => ({
            tier: t.tier,
            name: t.name,
            calls: t.maxCalls,
            durationSec: t.tokenLifetimeSec,
          })),
        }
      : {}),
  };
  const headers: Record<string, string> = {
    'WWW-Authenticate': formatChallenge({ macaroon: ch.token, invoice: ch.invoice }),
    'Cache-Control': 'no-store',
  };
  if (info.payOnSuccess) headers[PAY_ON_SUCCESS_HEADER] = '1';
  if (info.payOnSuccess && info.buyerRelease) headers[RELEASE_HEADER] = 'buyer';
  return c.json(body, 402, headers);
}
