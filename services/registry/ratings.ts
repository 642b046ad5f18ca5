import { createHash } from 'node:crypto';
import { Bolt11Error, decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { RegistryResult } from './types.js';

/** The rater's evidence: the invoice they paid and the preimage the payment revealed. */
export interface PurchaseProof {
  invoice: string;
  preimage: string;
  /** Optional; when present it must be the invoice's payment hash. */
  paymentHash?: string;
}

/**
 * Checks a proof of purchase from `nodePubkey` without asking anyone:
 * the invoice's signature names its payee (so the rater cannot make up an
 * invoice of the seller's node), and only the payer learns the preimage
 * whose sha256 is the invoice's payment hash. Returns the payment hash, the
 * key that makes a proof single-use.
 */
export function verifyPurchase(
  proof: PurchaseProof,
  nodePubkey: string,
): RegistryResult<{ paymentHash: string }> {
  let decoded;
  try {
    decoded = decodeInvoice(proof.invoice, { verify: true });
  } catch (err) {
    const why = err instanceof Bolt11Error ? `${err.code}: ${err.message}` : String(err);
    return { ok: false, code: 'bad_invoice', message: `invoice does not decode: ${why}` };
  }
  if (decoded.payee !== nodePubkey)
    return {
      ok: false,
      code: 'wrong_payee',
      message: `invoice is payable to ${decoded.payee}, not to the listing's node ${nodePubkey}`,
    };
  if (proof.paymentHash !== undefined && proof.paymentHash !== decoded.paymentHash)
    return {
      ok: false,
      code: 'hash_mismatch',
      message: `paymentHash ${proof.paymentHash} is not the invoice's ${decoded.paymentHash}`,
    };
  const hash = createHash('sha256').update(Buffer.from(proof.preimage, 'hex')).digest('hex');
  if (!/^[0-9a-f]{64}$/.test(proof.preimage) || hash !== decoded.paymentHash)
    return {
      ok: false,
      code: 'wrong_preimage',
      message: `sha256(preimage) is ${hash}, not the invoice's payment hash ${decoded.paymentHash}`,
    };
  return { ok: true, paymentHash: decoded.paymentHash };
}
