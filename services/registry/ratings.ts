import { createHash } from 'node:crypto';
import { BOLT11_ERROR_CODES, decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { Network } from '../../infra/lightning/node.js';
import type { Signer } from './signing.js';
import { signAction } from './signing.js';
import { checkSignature, fail } from './signed-writes.js';
import type { Listing, RegistryResult } from './types.js';
import { isLabError } from '../../infra/errors.js';

/**
 * A rating as it arrives: the score, the paid invoice, the preimage the
 * payment revealed, and the paying node's signature over the rating and the
 * invoice (see `signAction` with `action: 'rate'`).
 */
export interface RatingRequest extends PurchaseProof {
  /** 33-byte compressed public key (hex) of the node that paid and signs the rating. */
  payer: string;
  signedAt: number;
  signature: string;
  /** The origin of the registry the rating is signed for (see registry-origin.ts). */
  registry?: string;
}

/** What a rater proves: the score, the invoice it paid and the preimage the payment revealed. */
export interface PurchaseProof {
  score: number;
  invoice: string;
  preimage: string;
  paymentHash?: string;
}

/** Signs a rating of listing `id` as `payer`, the node that paid the proof's invoice, for the registry at origin `registry`. */
export async function signRating(
  id: string,
  proof: PurchaseProof,
  payer: Signer,
  signedAt: number,
  registry?: string,
): Promise<RatingRequest> {
  const { score, invoice } = proof;
  const signature = await signAction(
    { action: 'rate', id, score, invoice, payer: payer.pubkey, signedAt, registry },
    payer,
  );
  return {
    ...proof,
    payer: payer.pubkey,
    signedAt,
    signature,
    ...(registry !== undefined ? { registry } : {}),
  };
}

/** What the registry checks a rating against. */
export interface RatingRules {
  /** The Lightning network the registry's listings sell on. */
  network: Network;
  /** The registry clock, ms. */
  now: number;
  /** How far `signedAt` may be from `now`. */
  maxSkewMs: number;
  /** How old the paid invoice may be (its timestamp against `now`). */
  maxInvoiceAgeMs: number;
  /** The origins the registry is addressed at: a rating must name one (undefined: not checked). */
  origins?: readonly string[];
}

/** A proven purchase: its payment hash (single use) and the amount the rating weighs. */
export type VerifiedRating = RegistryResult<{ paymentHash: string; amountMsat: number }>;

/**
 * Checks a rating of `listing` without asking anyone. The invoice must be
 * signed by the listing's node, on the registry's network, for an amount, and
 * recent; the preimage proves the payment completed; and the payer, a node
 * other than the payee, signs the rating together with the invoice, so a
 * seller holding its own preimages cannot rate itself under its own key and
 * nobody can replay someone else's proof with another score.
 */
export function verifyRating(req: RatingRequest, listing: Listing, rules: RatingRules): VerifiedRating {
  let d;
  try {
    d = decodeInvoice(req.invoice, { verify: true });
  } catch (err) {
    const why = isLabError(err, ...BOLT11_ERROR_CODES) ? `${err.code}: ${err.message}` : String(err);
    return fail('bad_invoice', `invoice does not decode: ${why}`);
  }
  if (d.payee !== listing.nodePubkey)
    return fail(
      'wrong_payee',
      `invoice is payable to ${d.payee}, not to the listing's node ${listing.nodePubkey}`,
    );
  if (d.network !== rules.network)
    return fail(
      'wrong_network',
      `invoice is for ${d.network}; this registry rates ${rules.network} purchases`,
    );
  if (d.amountMsat === undefined || d.amountMsat <= 0)
    return fail('zero_amount', 'invoice has no amount: a rating needs a payment of at least 1 msat');
  const issuedMs = d.timestampSec * 1000;
  if (issuedMs < rules.now - rules.maxInvoiceAgeMs || issuedMs > rules.now + rules.maxSkewMs)
    return fail(
      'stale_invoice',
      `invoice was issued at ${new Date(issuedMs).toISOString()}; ratings take invoices from the last ${rules.maxInvoiceAgeMs} ms`,
    );
  if (req.paymentHash !== undefined && req.paymentHash !== d.paymentHash)
    return fail('hash_mismatch', `paymentHash ${req.paymentHash} is not the invoice's ${d.paymentHash}`);
  const hash = createHash('sha256').update(Buffer.from(req.preimage, 'hex')).digest('hex');
  if (!/^[0-9a-f]{64}$/.test(req.preimage) || hash !== d.paymentHash)
    return fail(
      'wrong_preimage',
      `sha256(preimage) is ${hash}, not the invoice's payment hash ${d.paymentHash}`,
    );
  if (req.payer === d.payee) return fail('self_rating', `the payer ${req.payer} is the listing's own node`);
  const action = {
    action: 'rate',
    id: listing.id,
    score: req.score,
    invoice: req.invoice,
    payer: req.payer,
    signedAt: req.signedAt,
    registry: req.registry,
  } as const;
  const refused = checkSignature(action, req.signature, req.payer, { ...rules, origins: rules.origins });
  if (refused?.code === 'bad_signature')
    return fail('bad_signature', `rating signature does not verify under the payer's key ${req.payer}`);
  return refused ?? { ok: true, paymentHash: d.paymentHash, amountMsat: d.amountMsat };
}
