/**
 * Where a server keeps each token's root key, by token id (hex). Deleting
 * the key revokes the token: its signature can no longer be checked.
 */

import { createHmac } from 'node:crypto';

/** Storage for per-token root keys; implementations may be remote, hence async. */
export interface RootKeyStore {
  get(tokenId: string): Promise<Uint8Array | undefined>;
  put(tokenId: string, key: Uint8Array): Promise<void>;
  delete(tokenId: string): Promise<void>;
  /** When present, the minter takes a token's root key from here instead of drawing one (and stores nothing). */
  derive?(tokenId: string): Uint8Array;
}

/** An in-process `RootKeyStore` (a Map); keys are copied in and out so callers cannot mutate them. */
export class MemoryRootKeyStore implements RootKeyStore {
  readonly #keys = new Map<string, Uint8Array>();

  async get(tokenId: string): Promise<Uint8Array | undefined> {
    return this.#keys.get(tokenId)?.slice();
  }

  async put(tokenId: string, key: Uint8Array): Promise<void> {
    this.#keys.set(tokenId, key.slice());
  }

  async delete(tokenId: string): Promise<void> {
    this.#keys.delete(tokenId);
  }

  /** How many tokens are stored. */
  get size(): number {
    return this.#keys.size;
  }
}

/**
 * Root keys derived from one secret: HMAC-SHA256(secret, token id). Minting
 * stores nothing, so a challenge nobody pays costs the server no state; only
 * revocations (`delete`) are remembered. Whoever holds the secret can sign
 * any token, so it comes from the OS CSPRNG and never leaves the server.
 * The keys `get` derived last are kept (at most `keptKeys`, the oldest
 * leaves first), so a token's repeated calls derive its key once; a revoked
 * token is refused before its kept key is looked at.
 *
 * @example
 * const minter = createMinter({ rootKeys: new DerivedRootKeyStore(randomBytes(32)), randomBytes });
 */
export class DerivedRootKeyStore implements RootKeyStore {
  readonly #secret: Uint8Array;
  readonly #revoked = new Set<string>();
  readonly #kept = new Map<string, Uint8Array>();

  constructor(
    secret: Uint8Array,
    readonly keptKeys = 64,
  ) {
    if (!(secret instanceof Uint8Array) || secret.length < 32)
      throw new TypeError(`DerivedRootKeyStore needs a secret of at least 32 bytes, got ${secret?.length}`);
    this.#secret = Uint8Array.from(secret);
  }

  derive(tokenId: string): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.#secret).update(tokenId).digest());
  }

  async get(tokenId: string): Promise<Uint8Array | undefined> {
    if (this.#revoked.has(tokenId)) return undefined;
    const kept = this.#kept.get(tokenId);
    if (kept) return kept.slice();
    const key = this.derive(tokenId);
    if (this.#kept.size >= this.keptKeys) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(tokenId, key);
    return key.slice();
  }

  /** Nothing to keep: the key is derived again when needed. */
  async put(): Promise<void> {}

  /** Revokes the token (its id is remembered, its kept key dropped). */
  async delete(tokenId: string): Promise<void> {
    this.#revoked.add(tokenId);
    this.#kept.delete(tokenId);
  }

  /** Revoked token ids kept (the only per-token state that grows; kept keys are bounded). */
  get size(): number {
    return this.#revoked.size;
  }
}
