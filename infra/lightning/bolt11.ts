import { sha256 } from '@noble/hashes/sha2.js';
import { bech32, hex } from '@scure/base';
import type { Msat } from '../money.js';
import type { Network } from './node.js';
import { defaultSecp, type Secp } from './secp.js';

/**
 * BOLT11 payment requests, the one encoder/decoder of the project: both the
 * embedded network and LND's invoices go through here.
 *
 * Signature (BOLT11): sha256(hrp as UTF-8 ‖ data words without the signature,
 * packed 5→8 bits and zero-padded) signed as 64-byte compact r‖s plus a
 * recovery id byte, in that wire order.
 */

/** Why a payment request was refused. */
export type Bolt11ErrorCode =
  | 'malformed'
  | 'bad_checksum'
  | 'bad_signature'
  | 'unknown_network'
  | 'wrong_network'
  | 'bad_amount'
  | 'missing_field';

/** A payment request that cannot be used, with a machine-readable `code`. */
export class Bolt11Error extends Error {
  override readonly name = 'Bolt11Error';
  constructor(
    readonly code: Bolt11ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

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

/** HRP prefix (after "ln") for each network. */
export const NETWORK_PREFIX: Readonly<Record<Network, string>> = {
  mainnet: 'bc',
  testnet: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
  simnet: 'sb',
};

const PREFIX_NETWORK = new Map<string, Network>(
  Object.entries(NETWORK_PREFIX).map(([n, p]) => [p, n as Network]),
);

/** msat per unit of each multiplier, in tenths of a msat so pico fits (1 p = 0.1 msat). */
const DECI_MSAT_PER_UNIT: Record<string, bigint> = {
  '': 1_000_000_000_000n,
  m: 1_000_000_000n,
  u: 1_000_000n,
  n: 1_000n,
  p: 1n,
};

const TAG = { p: 1, s: 16, d: 13, h: 23, x: 6, c: 24, n: 19, features: 5 } as const;
const SIG_WORDS = 104; // 65 bytes = 520 bits
const TIMESTAMP_WORDS = 7;
/** Required (even) feature bits we understand; an unknown required bit must make the reader refuse. */
const KNOWN_REQUIRED_FEATURES = new Set([8, 14, 16, 24, 48]);
const DEFAULT_EXPIRY_SEC = 3600;
const DEFAULT_MIN_FINAL_CLTV = 18;
const HASH_RE = /^[0-9a-f]{64}$/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Encodes and signs a payment request with the payee's 32-byte secret key. */
export function encodeInvoice(
  fields: InvoiceFields,
  privateKey: Uint8Array,
  secp: Secp = defaultSecp,
): string {
  if (!secp.isSecretKey(privateKey)) throw new Bolt11Error('malformed', 'private key must be 32 valid bytes');
  const payee = fields.includePayeeKey ? secp.publicKey(privateKey) : undefined;
  const { hrp, words } = buildUnsigned(fields, payee);
  const { signature, recoveryId } = secp.signRecoverable(signingDigest(hrp, words), privateKey);
  const sig = new Uint8Array(65);
  sig.set(signature);
  sig[64] = recoveryId;
  return bech32.encode(hrp, words.concat(bech32.toWords(sig)), false);
}

/**
 * Encodes a payment request with an `n` field naming `payeePubkey` and an
 * all-zero signature, skipping the ECDSA work. Only `decodeInvoice(…, {
 * allowUnsigned: true })` accepts it; everything else refuses it as
 * `bad_signature`, so it can never pass for a signed invoice.
 */
export function encodeUnsignedInvoice(fields: InvoiceFields, payeePubkey: Uint8Array): string {
  if (payeePubkey.length !== 33) throw new Bolt11Error('malformed', 'payee key must be 33 bytes');
  const { hrp, words } = buildUnsigned(fields, payeePubkey);
  return bech32.encode(hrp, words.concat(new Array<number>(SIG_WORDS).fill(0)), false);
}

/** Decodes a payment request, checks it and recovers the payee. Throws `Bolt11Error`. */
export function decodeInvoice(bolt11: string, opts: DecodeOptions = {}): DecodedInvoice {
  const { verify = true, expectedNetwork, allowUnsigned = false, secp = defaultSecp } = opts;
  if (typeof bolt11 !== 'string') throw new Bolt11Error('malformed', 'payment request must be a string');
  // Wallets often prefix "lightning:"; tolerate it like LND does not but every wallet does.
  const input = bolt11.trim().replace(/^lightning:/i, '');
  let hrp: string;
  let words: number[];
  try {
    ({ prefix: hrp, words } = bech32.decode(input as `${string}1${string}`, false));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const code = /checksum/i.test(msg) ? 'bad_checksum' : 'malformed';
    throw new Bolt11Error(code, `not a bech32 payment request: ${msg}`, { cause: e });
  }
  const m = /^ln([a-z]+?)(?:(\d+)([a-z])?)?$/.exec(hrp);
  if (!m) throw new Bolt11Error('unknown_network', `prefix "${hrp}" is not a Lightning invoice prefix`);
  const network = PREFIX_NETWORK.get(m[1]!);
  if (!network) throw new Bolt11Error('unknown_network', `unknown network prefix "ln${m[1]}"`);
  if (expectedNetwork && network !== expectedNetwork)
    throw new Bolt11Error('wrong_network', `invoice is for ${network}, expected ${expectedNetwork}`);
  const amountMsat = m[2] === undefined ? undefined : parseAmount(m[2], m[3] ?? '');
  if (words.length < TIMESTAMP_WORDS + SIG_WORDS)
    throw new Bolt11Error('malformed', `payment request too short (${words.length} data words)`);

  const dataEnd = words.length - SIG_WORDS;
  const timestampSec = wordsToInt(words, 0, TIMESTAMP_WORDS);
  const f = parseTaggedFields(words, TIMESTAMP_WORDS, dataEnd);
  if (f.paymentHash === undefined) throw new Bolt11Error('missing_field', 'payment hash (p) is missing');

  const sig = bech32.fromWords(words.slice(dataEnd));
  const signed = sig.some((b) => b !== 0);
  let payee: string;
  if (!signed) {
    if (!allowUnsigned || !f.payee)
      throw new Bolt11Error('bad_signature', 'invoice is unsigned (all-zero signature)');
    payee = f.payee;
  } else if (!verify && f.payee) {
    payee = f.payee;
  } else {
    const digest = signingDigest(hrp, words.slice(0, dataEnd));
    const compact = sig.subarray(0, 64);
    if (f.payee) {
      // BOLT11: with a valid `n`, check the signature against it (high-S accepted).
      if (verify && !secp.verify(digest, hex.decode(f.payee), compact))
        throw new Bolt11Error('bad_signature', `signature does not match payee ${f.payee}`);
      payee = f.payee;
    } else {
      const key = secp.recover(digest, compact, sig[64]!);
      if (!key) throw new Bolt11Error('bad_signature', 'signature does not recover a public key');
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

/** The human-readable amount part for `msat`, using the largest multiplier that is exact. */
export function formatAmount(msat: Msat): string {
  if (!Number.isSafeInteger(msat) || msat <= 0)
    throw new Bolt11Error('bad_amount', `amount must be a positive integer msat, got ${String(msat)}`);
  const deci = BigInt(msat) * 10n;
  for (const unit of ['', 'm', 'u', 'n', 'p']) {
    const per = DECI_MSAT_PER_UNIT[unit]!;
    if (deci % per === 0n) return `${deci / per}${unit}`;
  }
  throw new Bolt11Error('bad_amount', `cannot encode ${msat} msat`); // unreachable: p always divides
}

function parseAmount(digits: string, unit: string): Msat {
  const per = DECI_MSAT_PER_UNIT[unit];
  if (per === undefined) throw new Bolt11Error('bad_amount', `unknown amount multiplier "${unit}"`);
  if (digits.startsWith('0'))
    throw new Bolt11Error('bad_amount', `amount "${digits}${unit}" has a leading zero`);
  const deci = BigInt(digits) * per;
  if (deci % 10n !== 0n)
    throw new Bolt11Error('bad_amount', `amount "${digits}${unit}" is not a whole number of millisatoshis`);
  const msat = deci / 10n;
  if (msat > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Bolt11Error('bad_amount', `amount "${digits}${unit}" is too large`);
  return Number(msat);
}

interface TaggedFields {
  paymentHash?: string;
  paymentSecret?: string;
  description?: string;
  descriptionHash?: string;
  payee?: string;
  expirySec?: number;
  minFinalCltvExpiry?: number;
  features: number[];
}

function parseTaggedFields(words: number[], start: number, end: number): TaggedFields {
  const out: TaggedFields = { features: [] };
  let i = start;
  while (i < end) {
    if (i + 3 > end) throw new Bolt11Error('malformed', 'tagged field header runs into the signature');
    const tag = words[i]!;
    const len = words[i + 1]! * 32 + words[i + 2]!;
    const from = i + 3;
    const to = from + len;
    if (to > end) throw new Bolt11Error('malformed', `tagged field ${tag} runs past the signature`);
    const data = words.slice(from, to);
    i = to;
    // BOLT11: the first field of a kind with the right length wins; wrong lengths are skipped.
    switch (tag) {
      case TAG.p:
        if (len === 52 && out.paymentHash === undefined)
          out.paymentHash = hex.encode(fromWordsPadded(data, 32));
        break;
      case TAG.s:
        if (len === 52 && out.paymentSecret === undefined)
          out.paymentSecret = hex.encode(fromWordsPadded(data, 32));
        break;
      case TAG.h:
        if (len === 52 && out.descriptionHash === undefined)
          out.descriptionHash = hex.encode(fromWordsPadded(data, 32));
        break;
      case TAG.n:
        if (len === 53 && out.payee === undefined) out.payee = hex.encode(fromWordsPadded(data, 33));
        break;
      case TAG.d:
        if (out.description === undefined) {
          try {
            out.description = utf8Decoder.decode(fromWordsPadded(data, Math.floor((len * 5) / 8)));
          } catch (e) {
            throw new Bolt11Error('malformed', 'description (d) is not valid UTF-8', { cause: e });
          }
        }
        break;
      case TAG.x:
        if (out.expirySec === undefined) out.expirySec = wordsToInt(data, 0, len);
        break;
      case TAG.c:
        if (out.minFinalCltvExpiry === undefined) out.minFinalCltvExpiry = wordsToInt(data, 0, len);
        break;
      case TAG.features:
        out.features = parseFeatures(data);
        break;
      default:
        break; // unknown fields are ignored, as the spec asks
    }
  }
  return out;
}

function parseFeatures(data: number[]): number[] {
  const bits: number[] = [];
  const n = data.length * 5;
  for (let bit = 0; bit < n; bit++) {
    const w = data[data.length - 1 - Math.floor(bit / 5)]!;
    if ((w >> (bit % 5)) & 1) bits.push(bit);
  }
  const unknown = bits.find((b) => b % 2 === 0 && !KNOWN_REQUIRED_FEATURES.has(b));
  if (unknown !== undefined)
    throw new Bolt11Error('malformed', `invoice requires unknown feature bit ${unknown}`);
  return bits;
}

function buildUnsigned(f: InvoiceFields, payee: Uint8Array | undefined): { hrp: string; words: number[] } {
  const prefix = NETWORK_PREFIX[f.network];
  if (prefix === undefined)
    throw new Bolt11Error('unknown_network', `unknown network "${String(f.network)}"`);
  const hrp = `ln${prefix}${f.amountMsat === undefined ? '' : formatAmount(f.amountMsat)}`;
  if (!Number.isSafeInteger(f.timestampSec) || f.timestampSec < 0 || f.timestampSec >= 2 ** 35)
    throw new Bolt11Error('malformed', `timestamp ${f.timestampSec} does not fit 35 bits`);
  const words = intToWords(f.timestampSec, TIMESTAMP_WORDS);
  const push = (tag: number, data: number[]) => {
    if (data.length > 1023) throw new Bolt11Error('malformed', `field ${tag} is longer than 1023 words`);
    words.push(tag, data.length >> 5, data.length & 31, ...data);
  };
  push(TAG.p, hashWords(f.paymentHash, 'payment hash'));
  if (f.description !== undefined) push(TAG.d, bech32.toWords(utf8Encoder.encode(f.description)));
  if (f.descriptionHash !== undefined) push(TAG.h, hashWords(f.descriptionHash, 'description hash'));
  if (f.description === undefined && f.descriptionHash === undefined)
    throw new Bolt11Error('missing_field', 'an invoice needs a description (d) or a description hash (h)');
  if (payee) push(TAG.n, bech32.toWords(payee));
  const expiry = f.expirySec ?? DEFAULT_EXPIRY_SEC;
  if (expiry !== DEFAULT_EXPIRY_SEC) push(TAG.x, intToWords(checkedUint(expiry, 'expiry')));
  push(TAG.c, intToWords(checkedUint(f.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV, 'min_final_cltv')));
  if (f.paymentSecret !== undefined) push(TAG.s, hashWords(f.paymentSecret, 'payment secret'));
  const features = f.features ?? (f.paymentSecret !== undefined ? [8, 14, 17, 25] : []);
  if (features.length) push(TAG.features, featureWords(features));
  return { hrp, words };
}

function signingDigest(hrp: string, dataWords: number[]): Uint8Array {
  const h = utf8Encoder.encode(hrp);
  const d = fromWordsPadded(dataWords, Math.ceil((dataWords.length * 5) / 8));
  const msg = new Uint8Array(h.length + d.length);
  msg.set(h);
  msg.set(d, h.length);
  return sha256(msg);
}

/** Packs 5-bit words into `nBytes` bytes, zero-padding the tail and dropping bits beyond it. */
function fromWordsPadded(words: number[], nBytes: number): Uint8Array {
  const out = new Uint8Array(nBytes);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (j < nBytes) out[j++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && j < nBytes) out[j] = (acc << (8 - bits)) & 0xff;
  return out;
}

function wordsToInt(words: number[], start: number, len: number): number {
  let v = 0;
  for (let k = start; k < start + len; k++) v = v * 32 + words[k]!;
  if (!Number.isSafeInteger(v)) throw new Bolt11Error('malformed', 'integer field is too large');
  return v;
}

function intToWords(v: number, width = 0): number[] {
  const out: number[] = [];
  while (v > 0) {
    out.unshift(v % 32);
    v = Math.floor(v / 32);
  }
  while (out.length < width) out.unshift(0);
  return out;
}

function checkedUint(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new Bolt11Error('malformed', `${what} must be a non-negative integer`);
  return v;
}

function hashWords(h: string, what: string): number[] {
  if (typeof h !== 'string' || !HASH_RE.test(h))
    throw new Bolt11Error('malformed', `${what} must be 64 lowercase hex characters`);
  return bech32.toWords(hex.decode(h));
}

function featureWords(bits: number[]): number[] {
  const max = Math.max(...bits);
  const words = new Array<number>(Math.floor(max / 5) + 1).fill(0);
  for (const b of bits) words[words.length - 1 - Math.floor(b / 5)]! |= 1 << (b % 5);
  return words;
}
