import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as tiny from 'tiny-secp256k1';

/**
 * The few secp256k1 operations BOLT11 needs, behind one narrow interface so
 * the WASM libsecp256k1 (fast, the default) and pure-JS noble (the fallback,
 * and the benchmark's baseline) are interchangeable.
 */
export interface Secp {
  readonly name: string;
  /** Compressed 33-byte public key of a 32-byte secret key. */
  publicKey(secretKey: Uint8Array): Uint8Array;
  /** Deterministic (RFC 6979) signature of a 32-byte digest: 64-byte r‖s (low-S) and the recovery id. */
  signRecoverable(digest: Uint8Array, secretKey: Uint8Array): { signature: Uint8Array; recoveryId: number };
  /** Recovers the compressed public key, or undefined when the signature does not recover. */
  recover(digest: Uint8Array, signature: Uint8Array, recoveryId: number): Uint8Array | undefined;
  /** Checks a 64-byte signature against a public key; high-S is accepted as BOLT11 asks. */
  verify(digest: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): boolean;
  /** True when the 32 bytes are a valid secret key (0 < k < n). */
  isSecretKey(secretKey: Uint8Array): boolean;
}

/** libsecp256k1 compiled to WASM (tiny-secp256k1). */
export const tinySecp: Secp = {
  name: 'tiny-secp256k1',
  publicKey(secretKey) {
    const p = tiny.pointFromScalar(secretKey, true);
    if (!p) throw new RangeError('secret key out of range');
    return p;
  },
  signRecoverable(digest, secretKey) {
    return tiny.signRecoverable(digest, secretKey);
  },
  recover(digest, signature, recoveryId) {
    if (recoveryId < 0 || recoveryId > 3) return undefined;
    try {
      return tiny.recover(digest, signature, recoveryId as 0 | 1 | 2 | 3, true) ?? undefined;
    } catch {
      // tiny-secp256k1 throws on r or s out of range: that is just a bad signature here.
      return undefined;
    }
  },
  verify(digest, publicKey, signature) {
    try {
      return tiny.verify(digest, publicKey, signature, false);
    } catch {
      return false;
    }
  },
  isSecretKey(secretKey) {
    return secretKey.length === 32 && tiny.isPrivate(secretKey);
  },
};

/** Pure-JS @noble/curves, slower but with no WASM. */
export const nobleSecp: Secp = {
  name: '@noble/curves',
  publicKey(secretKey) {
    return secp256k1.getPublicKey(secretKey, true);
  },
  signRecoverable(digest, secretKey) {
    // noble's 'recovered' format puts the recovery byte first; BOLT11 wants it last.
    const rec = secp256k1.sign(digest, secretKey, { prehash: false, format: 'recovered' });
    return { signature: rec.slice(1), recoveryId: rec[0]! };
  },
  recover(digest, signature, recoveryId) {
    if (recoveryId < 0 || recoveryId > 3) return undefined;
    const rec = new Uint8Array(65);
    rec[0] = recoveryId;
    rec.set(signature, 1);
    try {
      return secp256k1.recoverPublicKey(rec, digest, { prehash: false });
    } catch {
      return undefined;
    }
  },
  verify(digest, publicKey, signature) {
    try {
      return secp256k1.verify(signature, digest, publicKey, { prehash: false, lowS: false });
    } catch {
      return false;
    }
  },
  isSecretKey(secretKey) {
    return secretKey.length === 32 && secp256k1.utils.isValidSecretKey(secretKey);
  },
};

/** The default backend: WASM libsecp256k1. */
export const defaultSecp: Secp = tinySecp;
