import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Payment } from '../../infra/lightning/node.js';

/** Whether `p` succeeded with a preimage that opens `paymentHash`: the token's proof of payment. */
export function provenPaid(p: Payment | undefined, paymentHash: string): p is Payment & { preimage: string } {
  return p?.status === 'succeeded' && !!p.preimage && preimageMatches(p.preimage, paymentHash);
}

/** Whether `preimageHex` hashes (sha256) to `paymentHashHex`. */
export function preimageMatches(preimageHex: string, paymentHashHex: string): boolean {
  try {
    return bytesToHex(sha256(hexToBytes(preimageHex.toLowerCase()))) === paymentHashHex.toLowerCase();
  } catch {
    return false;
  }
}
