import { createHash } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { ListingFields } from './types.js';

/**
 * Registry writes are signed by the seller's node key, so nobody can list,
 * change or remove a listing under someone else's key; a rating is signed by
 * the node that paid. A signature comes in
 * one of two encodings, both over the same message (the UTF-8 canonical JSON
 * of a `SignedAction`):
 *
 * - ECDSA/secp256k1 over sha256(message), hex: 64-byte r‖s, or 65 bytes with
 *   a recovery header first. Exactly what LND's `POST /v2/signer/signmessage
 *   {msg, key_loc:{key_family:6,key_index:0}}` returns, and what `keySigner`
 *   makes from a raw key.
 * - An invoice attestation: a BOLT11 invoice the node itself created and
 *   signed, whose description is `l402-registry/v2 sign <sha256(message) hex>`.
 *   Any `LightningNode` can make one (`nodeSigner`) without exposing its key
 *   or having a sign-message call, and the invoice signature names its node.
 */
export interface Signer {
  /** 33-byte compressed public key, hex: the listing's nodePubkey, or the payer's for a rating. */
  readonly pubkey: string;
  /** Signs `message`; returns the signature in one of the two wire encodings. */
  sign(message: Uint8Array): Promise<string>;
}

/**
 * What a signature covers. The action and id are inside, so a signature cannot be replayed as another
 * kind of change; so is `registry`, the origin of the registry the write is for (see
 * registry-origin.ts), so it cannot be replayed to another registry. A registry told its origins
 * refuses a write naming another, or none (`wrong_registry`); an in-process one without them takes any.
 */
export type SignedAction = (
  | { action: 'register'; listing: ListingFields; signedAt: number }
  | { action: 'update'; id: string; listing: ListingFields; signedAt: number }
  | { action: 'remove'; id: string; signedAt: number }
  | { action: 'rate'; id: string; score: number; invoice: string; payer: string; signedAt: number }
) & { registry?: string };

/**
 * Domain tag mixed into every signed message, so registry signatures mean nothing elsewhere. Version 2
 * adds `registry` to the message: a version 1 signature verifies nowhere any more.
 */
export const SIGNING_DOMAIN = 'l402-registry/v2';

/** A Signer over a raw 32-byte private key (simnet nodes, tests, CLIs holding their own key). */
export function keySigner(privateKey: Uint8Array): Signer {
  if (
    !(privateKey instanceof Uint8Array) ||
    privateKey.length !== 32 ||
    !secp256k1.utils.isValidSecretKey(privateKey)
  )
    throw new TypeError('keySigner needs a valid 32-byte secp256k1 private key');
  const key = Uint8Array.from(privateKey);
  return {
    pubkey: bytesToHex(secp256k1.getPublicKey(key, true)),
    // RFC 6979 deterministic nonces: no randomness needed, same bytes every run.
    sign: async (message) => bytesToHex(secp256k1.sign(message, key, { prehash: true, lowS: true })),
  };
}

/** The description an attestation invoice must carry for `message`. */
export function attestationMemo(message: Uint8Array): string {
  return `${SIGNING_DOMAIN} sign ${createHash('sha256').update(message).digest('hex')}`;
}

/**
 * A Signer backed by any LightningNode: it asks the node for a zero-amount
 * invoice whose description commits to the message (see `Signer`). Needs a
 * node that signs its invoices (LND always; the simnet unless built with
 * `signInvoices: false`).
 */
export async function nodeSigner(
  node: LightningNode,
  { expirySec = 600 }: { expirySec?: number } = {},
): Promise<Signer> {
  const { pubkey } = await node.info();
  return {
    pubkey,
    sign: async (message) =>
      (await node.createInvoice({ amountMsat: 0, memo: attestationMemo(message), expirySec })).paymentRequest,
  };
}

/**
 * JSON with object keys sorted at every level and no whitespace; `undefined`
 * members are dropped as JSON.stringify does. Both sides compute it on the
 * parsed value, so key order or spacing in transit never breaks a signature.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The exact bytes a signer signs for `action`. */
export function signedMessage(action: SignedAction): Uint8Array {
  return new TextEncoder().encode(canonicalJson({ domain: SIGNING_DOMAIN, ...action }));
}

/** Signs `action` with `signer`; returns the signature as hex. */
export function signAction(action: SignedAction, signer: Signer): Promise<string> {
  return signer.sign(signedMessage(action));
}

/**
 * Signs a registration for the registry at origin `registry` (none: only an in-process registry
 * without origins takes it): the body of `POST /listings` is `{ listing, signedAt, signature, registry }`.
 */
export async function signListing(
  listing: ListingFields,
  signer: Signer,
  signedAt: number,
  registry?: string,
): Promise<{ listing: ListingFields; signedAt: number; signature: string; registry?: string }> {
  const signature = await signAction({ action: 'register', listing, signedAt, registry }, signer);
  return { listing, signedAt, signature, ...(registry !== undefined ? { registry } : {}) };
}

/** True when `pubkeyHex` is a valid 33-byte compressed secp256k1 point. */
export function isValidPubkey(pubkeyHex: string): boolean {
  if (!/^0[23][0-9a-f]{64}$/.test(pubkeyHex)) return false;
  try {
    secp256k1.Point.fromHex(pubkeyHex);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a signature (either encoding) over `action` against `pubkeyHex`.
 * Never throws: malformed input, wrong lengths, invalid points, unsigned or
 * foreign invoices are simply `false`.
 */
export function verifyAction(action: SignedAction, signature: string, pubkeyHex: string): boolean {
  if (typeof signature !== 'string' || !isValidPubkey(pubkeyHex)) return false;
  const message = signedMessage(action);
  if (/^ln/i.test(signature)) return verifyAttestation(message, signature, pubkeyHex);
  if (!/^([0-9a-f]{128}|[0-9a-f]{130})$/.test(signature)) return false;
  let sig = hexToBytes(signature);
  // LND's compact_sig format puts a recovery header byte (27..34) first; drop it.
  if (sig.length === 65) {
    if (sig[0]! < 27 || sig[0]! > 34) return false;
    sig = sig.slice(1);
  }
  try {
    return secp256k1.verify(sig, message, hexToBytes(pubkeyHex), { prehash: true, lowS: true });
  } catch {
    return false;
  }
}

function verifyAttestation(message: Uint8Array, invoice: string, pubkeyHex: string): boolean {
  try {
    const d = decodeInvoice(invoice, { verify: true });
    return d.signed && d.payee === pubkeyHex && d.description === attestationMemo(message);
  } catch {
    return false;
  }
}
