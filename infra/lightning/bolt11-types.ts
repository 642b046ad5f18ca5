import type { Msat } from '../money.js';
import type { Network } from './node.js';

/** What a decoded payment request says. Hex strings are lowercase. */
export interface DecodedInvoice {
  network: Network;
  /** Absent for "any amount" invoices. */
  amountMsat?: Msat;
  paymentHash: string;
  paymentSecret?: string;
  description?: string;
  descriptionHash?: string;
  /** 33-byte compressed public key of the payee, recovered from the signature or taken from `n`. */
  payee: string;
  timestampSec: number;
  expirySec: number;
  expiresAtMs: number;
  minFinalCltvExpiry: number;
  /** Feature bits set in the `9` field (empty when absent). */
  features: number[];
  /** False only for invoices the embedded network made with `signInvoices: false` (see `allowUnsigned`). */
  signed: boolean;
  paymentRequest: string;
}

/** What `encodeInvoice` writes. */
export interface InvoiceFields {
  network: Network;
  amountMsat?: Msat;
  /** 32 bytes, hex. */
  paymentHash: string;
  /** 32 bytes, hex. Modern invoices carry one; when set, feature bits 8, 14, 17 and 25 are written as LND 0.20 does. */
  paymentSecret?: string;
  description?: string;
  descriptionHash?: string;
  timestampSec: number;
  /** Default 3600 (not written when 3600). */
  expirySec?: number;
  /** Default 18 (always written, as LND does). */
  minFinalCltvExpiry?: number;
  /** Write the payee's key in an `n` field (lets readers skip key recovery). */
  includePayeeKey?: boolean;
  /** Explicit feature bits; overrides the default set. */
  features?: number[];
}
