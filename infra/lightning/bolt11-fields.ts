import { hash } from 'node:crypto';
import { bech32, hex } from '@scure/base';
import type { Network } from './node.js';
import type { InvoiceFields } from './bolt11-types.js';
import {
  featureWords,
  formatAmount,
  fromWordsPadded,
  intToWords,
  parseFeatures,
  wordsToInt,
} from './bolt11-words.js';
import { LabError } from '../errors.js';

/** BOLT11 tagged fields: reading them from data words, writing them for the encoder, and the signed digest. */

/** HRP prefix (after "ln") for each network. */
export const NETWORK_PREFIX: Readonly<Record<Network, string>> = {
  mainnet: 'bc',
  testnet: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
  simnet: 'sb',
};

const TAG = { p: 1, s: 16, d: 13, h: 23, x: 6, c: 24, n: 19, features: 5 } as const;
export const SIG_WORDS = 104; // 65 bytes = 520 bits
export const TIMESTAMP_WORDS = 7;
export const DEFAULT_EXPIRY_SEC = 3600;
export const DEFAULT_MIN_FINAL_CLTV = 18;
const HASH_RE = /^[0-9a-f]{64}$/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** The fields a reader found (first valid one of each kind). */
export interface TaggedFields {
  paymentHash?: string;
  paymentSecret?: string;
  description?: string;
  descriptionHash?: string;
  payee?: string;
  expirySec?: number;
  minFinalCltvExpiry?: number;
  features: number[];
}

/** Reads the tagged fields between `start` and `end`; skips unknown kinds and wrong lengths, as BOLT11 says. */
export function parseTaggedFields(words: number[], start: number, end: number): TaggedFields {
  const out: TaggedFields = { features: [] };
  let i = start;
  while (i < end) {
    if (i + 3 > end) throw new LabError('malformed', 'tagged field header runs into the signature');
    const tag = words[i]!;
    const len = words[i + 1]! * 32 + words[i + 2]!;
    const from = i + 3;
    const to = from + len;
    if (to > end) throw new LabError('malformed', `tagged field ${tag} runs past the signature`);
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
            throw new LabError('malformed', 'description (d) is not valid UTF-8', { cause: e });
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

/** HRP and data words (timestamp and tagged fields) of an invoice, before the signature. */
export function buildUnsigned(
  f: InvoiceFields,
  payee: Uint8Array | undefined,
): { hrp: string; words: number[] } {
  const prefix = NETWORK_PREFIX[f.network];
  if (prefix === undefined) throw new LabError('unknown_network', `unknown network "${String(f.network)}"`);
  const hrp = `ln${prefix}${f.amountMsat === undefined ? '' : formatAmount(f.amountMsat)}`;
  if (!Number.isSafeInteger(f.timestampSec) || f.timestampSec < 0 || f.timestampSec >= 2 ** 35)
    throw new LabError('malformed', `timestamp ${f.timestampSec} does not fit 35 bits`);
  const words = intToWords(f.timestampSec, TIMESTAMP_WORDS);
  const push = (tag: number, data: number[]) => {
    if (data.length > 1023) throw new LabError('malformed', `field ${tag} is longer than 1023 words`);
    words.push(tag, data.length >> 5, data.length & 31, ...data);
  };
  push(TAG.p, hashWords(f.paymentHash, 'payment hash'));
  if (f.description !== undefined) push(TAG.d, bech32.toWords(utf8Encoder.encode(f.description)));
  if (f.descriptionHash !== undefined) push(TAG.h, hashWords(f.descriptionHash, 'description hash'));
  if (f.description === undefined && f.descriptionHash === undefined)
    throw new LabError('missing_field', 'an invoice needs a description (d) or a description hash (h)');
  if (payee) push(TAG.n, bech32.toWords(payee));
  const expiry = f.expirySec ?? DEFAULT_EXPIRY_SEC;
  if (expiry !== DEFAULT_EXPIRY_SEC) push(TAG.x, intToWords(checkedUint(expiry, 'expiry')));
  push(TAG.c, intToWords(checkedUint(f.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV, 'min_final_cltv')));
  if (f.paymentSecret !== undefined) push(TAG.s, hashWords(f.paymentSecret, 'payment secret'));
  const features = f.features ?? (f.paymentSecret !== undefined ? [8, 14, 17, 25] : []);
  if (features.length) push(TAG.features, featureWords(features));
  return { hrp, words };
}

/** sha256(hrp ‖ data words packed to bytes, zero-padded): what the node key signs. */
export function signingDigest(hrp: string, dataWords: number[]): Uint8Array {
  const h = utf8Encoder.encode(hrp);
  const d = fromWordsPadded(dataWords, Math.ceil((dataWords.length * 5) / 8));
  const msg = new Uint8Array(h.length + d.length);
  msg.set(h);
  msg.set(d, h.length);
  return new Uint8Array(hash('sha256', msg, 'buffer'));
}

function checkedUint(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new LabError('malformed', `${what} must be a non-negative integer`);
  return v;
}

function hashWords(h: string, what: string): number[] {
  if (typeof h !== 'string' || !HASH_RE.test(h))
    throw new LabError('malformed', `${what} must be 64 lowercase hex characters`);
  return bech32.toWords(hex.decode(h));
}
