import { bech32, hex } from '@scure/base';
import { bech32Decode, bech32Encode } from './bech32.js';
import {
  buildUnsigned,
  DEFAULT_EXPIRY_SEC,
  DEFAULT_MIN_FINAL_CLTV,
  NETWORK_PREFIX,
  parseTaggedFields,
  SIG_WORDS,
  signingDigest,
  TIMESTAMP_WORDS,
} from './bolt11-fields.js';
import type { DecodedInvoice, InvoiceFields } from './bolt11-types.js';
import { parseAmount, wordsToInt } from './bolt11-words.js';
import type { Network } from './node.js';
import { defaultSecp, type Secp } from './secp.js';
import { LabError } from '../errors.js';

/**
 * BOLT11 payment requests, the one encoder/decoder of the project: both the
 * embedded network and LND's invoices go through here.
 *
 * Signature (BOLT11): sha256(hrp as UTF-8 ‖ data words without the signature,
 * packed 5→8 bits and zero-padded) signed as 64-byte compact r‖s plus a
 * recovery id byte, in that wire order.
 */

export { BOLT11_ERROR_CODES, type Bolt11ErrorCode } from './bolt11-error.js';
export { NETWORK_PREFIX } from './bolt11-fields.js';
export { formatAmount } from './bolt11-words.js';
export type { DecodedInvoice, InvoiceFields } from './bolt11-types.js';

/** Options for `decodeInvoice`. */
export interface DecodeOptions {
  /** Check the signature (default true). With false, `payee` comes from `n` or recovery without checks. */
  verify?: boolean;
  /** Refuse invoices for another network with `wrong_network`. */
  expectedNetwork?: Network;
  /** Accept the all-zero signature of an unsigned simnet invoice when an `n` field names the payee. */
  allowUnsigned?: boolean;
  /** secp256k1 backend (default: WASM libsecp256k1). */
  secp?: Secp;
}

/**
 * The longest payment request decoded, in characters (after a `lightning:`
 * prefix and surrounding blanks are dropped): LND's zpay32 `maxInvoiceLength`,
 * the most a QR code holds, checked before any bech32 work as LND does (a
 * longer string would cost decoding time for nothing: no node accepts it).
 */
export const MAX_INVOICE_LENGTH = 7089;

const PREFIX_NETWORK = new Map<string, Network>(
  Object.entries(NETWORK_PREFIX).map(([n, p]) => [p, n as Network]),
);

/** Encodes and signs a payment request with the payee's 32-byte secret key. */
export function encodeInvoice(
  fields: InvoiceFields,
  privateKey: Uint8Array,
  secp: Secp = defaultSecp,
): string {
  if (!secp.isSecretKey(privateKey)) throw new LabError('malformed', 'private key must be 32 valid bytes');
  const payee = fields.includePayeeKey ? secp.publicKey(privateKey) : undefined;
  const { hrp, words } = buildUnsigned(fields, payee);
  const { signature, recoveryId } = secp.signRecoverable(signingDigest(hrp, words), privateKey);
  const sig = new Uint8Array(65);
  sig.set(signature);
  sig[64] = recoveryId;
  return bech32Encode(hrp, words.concat(bech32.toWords(sig)));
}

/**
 * Encodes a payment request with an `n` field naming `payeePubkey` and an
 * all-zero signature, skipping the ECDSA work. Only `decodeInvoice(…, {
 * allowUnsigned: true })` accepts it; everything else refuses it as
 * `bad_signature`, so it can never pass for a signed invoice.
 */
export function encodeUnsignedInvoice(fields: InvoiceFields, payeePubkey: Uint8Array): string {
  if (payeePubkey.length !== 33) throw new LabError('malformed', 'payee key must be 33 bytes');
  const { hrp, words } = buildUnsigned(fields, payeePubkey);
  return bech32Encode(hrp, words.concat(new Array<number>(SIG_WORDS).fill(0)));
}

/** Decodes a payment request, checks it and recovers the payee. Throws a `LabError` with a `Bolt11ErrorCode`. */
export function decodeInvoice(bolt11: string, opts: DecodeOptions = {}): DecodedInvoice {
  const { verify = true, expectedNetwork, allowUnsigned = false, secp = defaultSecp } = opts;
  if (typeof bolt11 !== 'string') throw new LabError('malformed', 'payment request must be a string');
  // Wallets often prefix "lightning:"; tolerate it like LND does not but every wallet does.
  const input = bolt11.trim().replace(/^lightning:/i, '');
  if (input.length > MAX_INVOICE_LENGTH)
    throw new LabError(
      'malformed',
      `payment request is ${input.length} characters, longer than the ${MAX_INVOICE_LENGTH} a Lightning node accepts (LND's limit): it is not an invoice`,
    );
  let hrp: string;
  let words: number[];
  try {
    ({ prefix: hrp, words } = bech32Decode(input));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const code = /checksum/i.test(msg) ? 'bad_checksum' : 'malformed';
    throw new LabError(code, `not a bech32 payment request: ${msg}`, { cause: e });
  }
  const m = /^ln([a-z]+?)(?:(\d+)([a-z])?)?$/.exec(hrp);
  if (!m) throw new LabError('unknown_network', `prefix "${hrp}" is not a Lightning invoice prefix`);
  const network = PREFIX_NETWORK.get(m[1]!);
  if (!network) throw new LabError('unknown_network', `unknown network prefix "ln${m[1]}"`);
  if (expectedNetwork && network !== expectedNetwork)
    throw new LabError('wrong_network', `invoice is for ${network}, expected ${expectedNetwork}`);
  const amountMsat = m[2] === undefined ? undefined : parseAmount(m[2], m[3] ?? '');
  if (words.length < TIMESTAMP_WORDS + SIG_WORDS)
    throw new LabError('malformed', `payment request too short (${words.length} data words)`);

  const dataEnd = words.length - SIG_WORDS;
  const timestampSec = wordsToInt(words, 0, TIMESTAMP_WORDS);
  const f = parseTaggedFields(words, TIMESTAMP_WORDS, dataEnd);
  if (f.paymentHash === undefined) throw new LabError('missing_field', 'payment hash (p) is missing');

  const sig = bech32.fromWords(words.slice(dataEnd));
  const signed = sig.some((b) => b !== 0);
  let payee: string;
  if (!signed) {
    if (!allowUnsigned || !f.payee)
      throw new LabError('bad_signature', 'invoice is unsigned (all-zero signature)');
    payee = f.payee;
  } else if (!verify && f.payee) {
    payee = f.payee;
  } else {
    const digest = signingDigest(hrp, words.slice(0, dataEnd));
    const compact = sig.subarray(0, 64);
    if (f.payee) {
      // BOLT11: with a valid `n`, check the signature against it (high-S accepted).
      if (verify && !secp.verify(digest, hex.decode(f.payee), compact))
        throw new LabError('bad_signature', `signature does not match payee ${f.payee}`);
      payee = f.payee;
    } else {
      const key = secp.recover(digest, compact, sig[64]!);
      if (!key) throw new LabError('bad_signature', 'signature does not recover a public key');
      payee = hex.encode(key);
    }
  }

  const expirySec = f.expirySec ?? DEFAULT_EXPIRY_SEC;
  return {
    network,
    ...(amountMsat !== undefined && { amountMsat }),
    paymentHash: f.paymentHash,
    ...(f.paymentSecret !== undefined && { paymentSecret: f.paymentSecret }),
    ...(f.description !== undefined && { description: f.description }),
    ...(f.descriptionHash !== undefined && { descriptionHash: f.descriptionHash }),
    payee,
    timestampSec,
    expirySec,
    expiresAtMs: (timestampSec + expirySec) * 1000,
    minFinalCltvExpiry: f.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV,
    features: f.features,
    signed,
    paymentRequest: input.toLowerCase(),
  };
}
